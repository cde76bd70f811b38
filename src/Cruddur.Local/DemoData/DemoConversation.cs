namespace Cruddur.Local.DemoData;

/// <summary>
/// The demo conversation between the first two demo users: a few evenings of restoring an old arcade cabinet.
/// The first <see cref="LastYearCount"/> lines happen in the last days of the previous year, so a query bounded by
/// the current year would visibly miss the start of it.
/// </summary>
internal static class DemoConversation
{
    /// <summary>How many of the lines (from the start) are dated in the previous calendar year.</summary>
    public const int LastYearCount = 20;

    /// <summary>Speaker 0 is the first demo user, 1 the second.</summary>
    public static readonly IReadOnlyList<(int Speaker, string Text)> Lines =
    [
        (0, "You will not believe what I dragged home from the flea market today."),
        (1, "Another lamp shaped like a fish?"),
        (0, "Better. A 1982 upright arcade cabinet. Sixty dollars. The seller just wanted it gone."),
        (1, "Does it turn on?"),
        (0, "It hums, then smells faintly of toast, then nothing. So: no."),
        (1, "Toast smell is the power supply asking for retirement. Unplug it before it asks louder."),
        (0, "Unplugged. The side art is peeling but you can still see a dragon on it."),
        (1, "What board is inside?"),
        (0, "Hard to say, there is a layer of dust on it thick enough to grow basil in."),
        (1, "Take a photo before you touch anything. Every wire you move now is a mystery later."),
        (0, "Forty photos taken. I labelled the connectors with masking tape too."),
        (1, "Look at you, following procedure. What's the monitor like?"),
        (0, "Big old tube. The glass has a sticker that says DANGER HIGH VOLTAGE in three languages."),
        (1, "Believe the sticker. Leave the tube alone until we can discharge it properly together."),
        (0, "Deal. I'm off to my parents' for the last days of the year anyway."),
        (1, "Bring the labelled photos. We can plan the parts list over the holidays."),
        (0, "Parts list so far: power supply, a joystick that doesn't wobble, two buttons, courage."),
        (1, "Courage is on backorder everywhere. I'll check the hobby shop for the rest."),
        (0, "Happy new year in advance. Next year this thing plays a game."),
        (1, "Happy new year! Next year we also learn what game it was supposed to play."),
        (0, "Back home and the cabinet is still in the hallway glaring at me."),
        (1, "Good, it missed you. I found a replacement power supply, same footprint."),
        (0, "Ordered it. Also I cleaned the board with a soft brush and some patience."),
        (1, "And?"),
        (0, "There is a chip with a little paper label that says PROTO 3. Nothing else."),
        (1, "A prototype board? That's either wonderful or a very long weekend."),
        (0, "Probably both. The joystick arrived, it clicks like a new pen."),
        (1, "That click is the best sound in the whole hobby. Wire it up colour by colour."),
        (0, "Done. Red to up, green to down, and I will admit the rest I did by checking your diagram twice."),
        (1, "Twice is the right number. The power supply?"),
        (0, "Installed. Turned it on. No toast smell. The fan spins. I may have cheered."),
        (1, "Anything on the screen?"),
        (0, "A thin white line across the middle and a sound like a distant kettle."),
        (1, "Vertical deflection. Sounds like a tired capacitor on the monitor chassis."),
        (0, "That's the part with the DANGER sticker."),
        (1, "Yes. Saturday, at yours, with the discharge tool and gloves. No solo heroics."),
        (0, "No solo heroics. I'll make coffee and clear the table."),
        (1, "Bring a bowl for the screws. Monitor chassis screws roll under sofas out of spite."),
        (0, "Saturday recap for the record: you swapped four capacitors and I held the flashlight very well."),
        (1, "You held it like a professional. And now the picture fills the screen."),
        (0, "It's a bit green though. Everyone looks like they ate something odd."),
        (1, "Colour adjustment pots on the neck board. Small turns, and only with the plastic tool."),
        (0, "Small turns. Ok, green is gone, now everyone looks sunburnt."),
        (1, "Halfway there. Back off the red a hair."),
        (0, "There. Normal people. And the title screen says STARWELL, which I have never heard of."),
        (1, "Neither have I, and I've read every arcade catalogue from that decade."),
        (0, "So the PROTO 3 label was telling the truth. Maybe it never shipped."),
        (1, "That's exciting. Does the game actually play?"),
        (0, "You fly a little lantern ship through a cave and collect stars before they melt."),
        (1, "Melting stars. Someone in 1982 had a lovely imagination."),
        (0, "The second button does nothing yet. I think it's a bomb or a shield that never got finished."),
        (1, "Check if the button wire reaches the board at all before you blame the programmers."),
        (0, "It did not. One loose crimp. Now it's a shield and it makes a wobbly chime."),
        (1, "Of course it makes a wobbly chime. What's your high score?"),
        (0, "4,350. The cave gets narrow on level three and I panic."),
        (1, "I'm coming over tomorrow to beat that, fair warning."),
        (0, "Warning received. I'm also going to redo the side art, the dragon deserves it."),
        (1, "Scan what's left of it first so the new print matches the old colours."),
        (0, "Scanned at high resolution. The dragon has a tiny crown I never noticed."),
        (1, "A crowned dragon in a game about a lantern ship. I love this cabinet."),
        (0, "Should we write to an arcade museum about it? Someone might know the story."),
        (1, "Yes. Let's write the email together tonight and attach the board photos."),
        (0, "Drafting it now. Subject line: We found STARWELL, and it still works."),
        (1, "Perfect subject line. Send it, then put the kettle on, I'm on my way."),
    ];
}
