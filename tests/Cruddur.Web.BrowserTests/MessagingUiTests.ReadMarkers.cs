using Cruddur.Web.BrowserTests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cruddur.Web.BrowserTests;

/// <summary>Unread badges, the count in the title, "Seen", and an axe-core audit of every view.</summary>
public sealed partial class MessagingUiTests
{
    [Fact]
    public async Task An_unread_badge_shows_live_and_clears_on_every_tab_when_read_and_the_sender_sees_Seen()
    {
        var alice = UiServer.UniqueHandle("alice");
        var bob = UiServer.UniqueHandle("bob");
        var aliceTab1 = await browser.OpenPageAsync();
        await aliceTab1.SignInAsync(alice, "Alice A");
        var aliceTab2 = await browser.OpenPageAsync();
        await aliceTab2.SignInAsync(alice, "Alice A");
        var bobPage = await browser.OpenPageAsync();
        await bobPage.SignInAsync(bob, "Bob B");

        await bobPage.StartConversationAsync(alice, "Alice A");
        await bobPage.SendAsync("Are you there?");
        await bobPage.SendAsync("Alice?");

        foreach (var tab in new[] { aliceTab1, aliceTab2 })
        {
            var group = tab.Group(bob);
            await Expect(group.Locator(".unread-badge")).ToHaveTextAsync("2");
            await Expect(group.Locator("button")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bunread\\b"));
            await Expect(group.Locator(".visually-hidden")).ToHaveTextAsync(", 2 unread");
            await Expect(tab).ToHaveTitleAsync("(2) Cruddur Messages");
        }

        await Expect(bobPage.Locator("#messages .message-seen")).ToHaveCountAsync(0);
        await aliceTab1.SaveScreenshotAsync("unread-badge");

        await aliceTab1.Group(bob).Locator("button").ClickAsync();
        await Expect(aliceTab1.Locator("#messages .message-text")).ToHaveTextAsync(["Are you there?", "Alice?"]);

        foreach (var tab in new[] { aliceTab1, aliceTab2 })
        {
            await Expect(tab.Group(bob).Locator(".unread-badge")).ToHaveCountAsync(0);
            await Expect(tab.Group(bob).Locator("button")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bunread\\b"));
            await Expect(tab).ToHaveTitleAsync("Cruddur Messages");
        }

        // "Seen" under Bob's last message, and only there.
        await Expect(bobPage.Locator("#messages .message-seen")).ToHaveTextAsync(["Seen"]);
        await Expect(bobPage.Locator("#messages > li").Last).ToHaveTextAsync("Seen");
        await bobPage.SaveScreenshotAsync("seen");

        // A new message while the conversation is open is read at once: no badge, and Bob's "Seen" follows it.
        await bobPage.SendAsync("Great, see you.");
        await Expect(aliceTab1.Locator("#messages .message-text").Last).ToHaveTextAsync("Great, see you.");
        await Expect(bobPage.Locator("#messages > li").Last).ToHaveTextAsync("Seen");
        await Expect(aliceTab2.Group(bob).Locator(".unread-badge")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Axe_finds_no_violation_on_sign_in_list_open_conversation_and_phone_layout()
    {
        using var paul = await browser.Server.SignInAsync(UiServer.UniqueHandle("paul"), "Paul P", Token);
        var quinn = UiServer.UniqueHandle("quinn");
        var page = await browser.OpenPageAsync();
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await ShouldPassAxeAsync(page, "sign-in");

        await page.SignInAsync(quinn, "Quinn Q");
        await paul.SendToHandleAsync(quinn, "Unread for Quinn", Token);
        await Expect(page.Group(paul.Handle).Locator(".unread-badge")).ToHaveTextAsync("1");
        await ShouldPassAxeAsync(page, "list with an unread badge");

        await page.Group(paul.Handle).Locator("button").ClickAsync();
        await page.SendAsync("Reply from Quinn");
        await ShouldPassAxeAsync(page, "open conversation");

        var phone = await browser.OpenPageAsync(390, 844);
        await phone.SignInAsync(quinn, "Quinn Q");
        await Expect(phone.Group(paul.Handle)).ToBeVisibleAsync();
        await ShouldPassAxeAsync(phone, "phone list");
        await phone.Group(paul.Handle).Locator("button").ClickAsync();
        await Expect(phone.Locator("#messages .message-text").Last).ToHaveTextAsync("Reply from Quinn");
        await ShouldPassAxeAsync(phone, "phone conversation");
    }

    private static async Task ShouldPassAxeAsync(IPage page, string view)
    {
        var result = await page.RunAxe();
        result.Passes.ShouldNotBeEmpty($"axe ran its rules on the {view}");
        var violations = result.Violations.Select(violation =>
            $"{violation.Id} ({violation.Impact}): {violation.Help} at {string.Join(" | ", violation.Nodes.Select(node => node.Target?.ToString()))}");
        violations.ShouldBeEmpty($"axe-core violations on the {view}");
    }
}
