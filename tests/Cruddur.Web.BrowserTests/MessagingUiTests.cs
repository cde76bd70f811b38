using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Cruddur.Web.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cruddur.Web.BrowserTests;

/// <summary>The web UI in a real headless Chromium against the real app, stores and stream processor.</summary>
public sealed partial class MessagingUiTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_users_talk_and_each_sees_the_other_live_with_the_list_reordering()
    {
        var alice = UiServer.UniqueHandle("alice");
        var bob = UiServer.UniqueHandle("bob");
        using var carol = await browser.Server.SignInAsync(UiServer.UniqueHandle("carol"), "Carol C", Token);
        var alicePage = await browser.OpenPageAsync();
        await alicePage.SaveScreenshotAsync("sign-in");
        await alicePage.SignInAsync(alice, "Alice A");
        var bobPage = await browser.OpenPageAsync();
        await bobPage.SignInAsync(bob, "Bob B");
        await carol.SendToHandleAsync(alice, "Carol was here first", Token);
        await Expect(alicePage.Group(carol.Handle)).ToBeVisibleAsync();

        await alicePage.StartConversationAsync(bob, "Bob B");
        await alicePage.SendAsync("Hi Bob, lunch?");

        // Bob did nothing: the conversation appears in his list and opens with Alice's message.
        var bobsGroup = bobPage.Group(alice);
        await Expect(bobsGroup.Locator(".group-name")).ToHaveTextAsync("Alice A");
        await Expect(bobsGroup.Locator(".group-message")).ToHaveTextAsync("Hi Bob, lunch?");
        await bobsGroup.Locator("button").ClickAsync();
        await Expect(bobPage.Locator("#messages .message-sender").Last).ToHaveTextAsync($"Alice A @{alice}");
        await Expect(bobsGroup.Locator("button")).ToHaveAttributeAsync("aria-current", "true");

        // Carol writes again: her conversation moves to the top of Alice's list, live.
        await Expect(alicePage.Locator("#groups .group-handle").First).ToHaveTextAsync("@" + bob);
        await carol.SendToHandleAsync(alice, "Carol again", Token);
        await Expect(alicePage.Locator("#groups .group-handle").First).ToHaveTextAsync("@" + carol.Handle);

        // Bob replies: Alice sees it in the open conversation, and Bob's conversation is back on top.
        var sent = Stopwatch.StartNew();
        await bobPage.SendAsync("Yes! 12:30?");
        await Expect(alicePage.Locator("#messages .message-text").Last).ToHaveTextAsync("Yes! 12:30?");
        var latency = sent.Elapsed;
        await File.WriteAllTextAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, "live-latency.txt"), string.Create(CultureInfo.InvariantCulture, $"reply sent → shown to the other user: {latency.TotalMilliseconds:F0} ms\n"), Token);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Live update after {latency.TotalMilliseconds:F0} ms"));
        await Expect(alicePage.Locator("#groups .group-handle").First).ToHaveTextAsync("@" + bob);
        await Expect(alicePage.Group(bob).Locator(".group-message")).ToHaveTextAsync("Yes! 12:30?");
        await Expect(alicePage.Locator("#messages .message")).ToHaveCountAsync(2);
        await Expect(alicePage.Locator("#messages time").First).ToHaveAttributeAsync("title", new Regex("\\d{4}"));
        await alicePage.SaveScreenshotAsync("groups-and-conversation");
    }

    [Fact]
    public async Task New_conversation_with_someone_already_talked_to_opens_that_conversation()
    {
        using var dan = await browser.Server.SignInAsync(UiServer.UniqueHandle("dan"), "Dan D", Token);
        var erin = UiServer.UniqueHandle("erin");
        var page = await browser.OpenPageAsync();
        await page.SignInAsync(erin, "Erin E");
        await dan.SendToHandleAsync(erin, "an old message", Token);
        await Expect(page.Group(dan.Handle)).ToBeVisibleAsync();

        await page.StartConversationAsync(dan.Handle, "Dan D");

        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync(["an old message"]);
        await Expect(page.Group(dan.Handle).Locator("button")).ToHaveAttributeAsync("aria-current", "true");
        await page.Locator("#new-handle").FillAsync("@nobody_" + Guid.NewGuid().ToString("N")[..8]);
        await page.Locator("#new-handle").PressAsync("Enter");
        await Expect(page.Locator("#new-conversation-error")).ToHaveTextAsync("No user has that handle.");
    }

    [Fact]
    public async Task The_counter_counts_down_from_1024_and_a_too_long_message_cannot_be_sent()
    {
        using var frank = await browser.Server.SignInAsync(UiServer.UniqueHandle("frank"), "Frank F", Token);
        var page = await browser.OpenPageAsync();
        await page.SignInAsync(UiServer.UniqueHandle("gina"), "Gina G");
        await page.StartConversationAsync(frank.Handle, "Frank F");
        var counter = page.Locator("#counter");
        var send = page.Locator("#send");
        await Expect(counter).ToHaveTextAsync("1024");
        await Expect(send).ToBeDisabledAsync();

        await page.Locator("#composer-text").FillAsync("   ");
        await Expect(send).ToBeDisabledAsync();
        await page.Locator("#composer-text").FillAsync("Hello 👋🏽");
        await Expect(counter).ToHaveTextAsync("1017"); // the emoji with its skin tone is one character, as the server counts
        await Expect(send).ToBeEnabledAsync();

        await page.Locator("#composer-text").FillAsync(new string('x', 1025));
        await Expect(counter).ToHaveTextAsync("-1");
        await Expect(counter).ToHaveClassAsync(new Regex("\\bover\\b"));
        await Expect(counter).ToHaveCSSAsync("color", "rgb(192, 22, 43)");
        await Expect(send).ToBeDisabledAsync();
        await Expect(page.Locator("#composer-error")).ToHaveTextAsync("That message is longer than 1024 characters.");
        await page.Locator("#composer-text").PressAsync("Enter");
        await Expect(page.Locator("#messages .message")).ToHaveCountAsync(0);

        await page.Locator("#composer-text").FillAsync(new string('x', 1024));
        await Expect(counter).ToHaveTextAsync("0");
        await Expect(counter).Not.ToHaveClassAsync(new Regex("\\bover\\b"));
        await Expect(send).ToBeEnabledAsync();
        await Expect(page.Locator("#composer-error")).ToHaveTextAsync("");
    }

    [Fact]
    public async Task Markup_in_a_message_is_shown_as_text_and_runs_nothing()
    {
        const string hostile = "<script>window.__pwned = 'script'</script><img src=x onerror=\"window.__pwned = 'img'\"> <b>bold?</b>";
        var hank = UiServer.UniqueHandle("hank");
        var ivy = UiServer.UniqueHandle("ivy");
        var hankPage = await browser.OpenPageAsync();
        await hankPage.SignInAsync(hank, "<i>Hank</i>");
        var ivyPage = await browser.OpenPageAsync();
        await ivyPage.SignInAsync(ivy, "Ivy I");

        await hankPage.StartConversationAsync(ivy, "Ivy I");
        await hankPage.SendAsync(hostile);
        await Expect(ivyPage.Group(hank).Locator(".group-name")).ToHaveTextAsync("<i>Hank</i>");
        await ivyPage.Group(hank).Locator("button").ClickAsync();

        foreach (var page in new[] { hankPage, ivyPage })
        {
            await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync([hostile]);
            await Expect(page.Locator("#messages img, #messages script, #messages b, #groups img")).ToHaveCountAsync(0);
            (await page.EvaluateAsync<string?>("() => window.__pwned ?? null")).ShouldBeNull();
        }

        await Expect(ivyPage.Locator("#messages .message-sender")).ToHaveTextAsync([$"<i>Hank</i> @{hank}"]);
    }

    [Fact]
    public async Task Loading_older_messages_keeps_the_message_being_read_in_view()
    {
        using var jack = await browser.Server.SignInAsync(UiServer.UniqueHandle("jack"), "Jack J", Token);
        using var kate = await browser.Server.SignInAsync(UiServer.UniqueHandle("kate"), "Kate K", Token);
        var group = await jack.SendToHandleAsync(kate.Handle, "message 01", Token);
        for (var i = 2; i <= 65; i++)
        {
            await (i % 2 == 0 ? kate : jack).SendToGroupAsync(group, $"message {i:D2}", Token);
        }

        var page = await browser.OpenPageAsync();
        await page.SignInAsync(jack.Handle, jack.DisplayName);
        await Expect(page.Group(kate.Handle).Locator(".group-message")).ToHaveTextAsync("message 65");
        await page.Group(kate.Handle).Locator("button").ClickAsync();
        var messages = page.Locator("#messages .message");
        await Expect(messages.Last.Locator(".message-text")).ToHaveTextAsync("message 65");
        await Expect(messages).ToHaveCountAsync(30);
        await Expect(messages.First.Locator(".message-text")).ToHaveTextAsync("message 36");

        // Scroll to the top: the page before loads above, and message 36 stays where the reader is looking.
        await page.Locator("#messages").EvaluateAsync("list => { list.scrollTop = 0; }");
        await Expect(messages).ToHaveCountAsync(60);
        await Expect(messages.First.Locator(".message-text")).ToHaveTextAsync("message 06");
        var read = page.Locator("#messages .message", new PageLocatorOptions { HasTextString = "message 36" });
        await Expect(read).ToBeInViewportAsync();
        (await page.Locator("#messages").EvaluateAsync<double>("list => list.scrollTop")).ShouldBeGreaterThan(40);

        await page.Locator("#messages").EvaluateAsync("list => { list.scrollTop = 0; }");
        await Expect(messages).ToHaveCountAsync(65);
        await Expect(messages.First.Locator(".message-text")).ToHaveTextAsync("message 01");
        await Expect(page.Locator("#messages .message", new PageLocatorOptions { HasTextString = "message 06" })).ToBeInViewportAsync();
    }

    [Fact]
    public async Task Everything_can_be_done_with_the_keyboard_alone()
    {
        using var liam = await browser.Server.SignInAsync(UiServer.UniqueHandle("liam"), "Liam L", Token);
        var mia = UiServer.UniqueHandle("mia");
        var page = await browser.OpenPageAsync();
        await Expect(page.Locator("#sign-in-handle")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(mia);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Mia M");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#me")).ToHaveTextAsync($"Mia M @{mia}");

        await TabToAsync(page, "new-handle");
        await page.Keyboard.TypeAsync("@" + liam.Handle);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync($"Liam L @{liam.Handle}");
        await Expect(page.Locator("#composer-text")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("first line");
        await page.Keyboard.PressAsync("Shift+Enter");
        await page.Keyboard.TypeAsync("second line");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync(["first line\nsecond line"]);
        await Expect(page.Locator("#composer-text")).ToHaveValueAsync("");

        // Back to the list and into the conversation again by keyboard.
        await TabToAsync(page, null, "button[data-uuid]");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#composer-text")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("again");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync(["first line\nsecond line", "again"]);
    }

    [Fact]
    public async Task A_phone_sized_screen_shows_one_pane_at_a_time()
    {
        using var noah = await browser.Server.SignInAsync(UiServer.UniqueHandle("noah"), "Noah N", Token);
        using var olga = await browser.Server.SignInAsync(UiServer.UniqueHandle("olga"), "Olga O", Token);
        await noah.SendToHandleAsync(olga.Handle, "Are you on your phone?", Token);
        var page = await browser.OpenPageAsync(390, 844);
        await page.SignInAsync(olga.Handle, olga.DisplayName);
        await Expect(page.Group(noah.Handle)).ToBeVisibleAsync();
        await Expect(page.Locator("#conversation")).ToBeHiddenAsync();
        await page.SaveScreenshotAsync("phone-groups");

        await page.Group(noah.Handle).Locator("button").ClickAsync();
        await Expect(page.Locator("#conversation")).ToBeVisibleAsync();
        await Expect(page.Locator("#groups-pane")).ToBeHiddenAsync();
        await Expect(page.Locator("#messages .message-text")).ToHaveTextAsync(["Are you on your phone?"]);
        await page.SendAsync("Yes, one pane at a time.");
        var composer = await page.Locator("#composer").BoundingBoxAsync();
        composer.ShouldNotBeNull();
        (composer.X + composer.Width).ShouldBeLessThanOrEqualTo(390);
        (composer.Y + composer.Height).ShouldBeLessThanOrEqualTo(844);
        await page.SaveScreenshotAsync("phone-conversation");

        await page.Locator("#back").ClickAsync();
        await Expect(page.Locator("#groups-pane")).ToBeVisibleAsync();
        await Expect(page.Locator("#conversation")).ToBeHiddenAsync();
        await Expect(page.Group(noah.Handle).Locator("button")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task The_page_is_served_with_a_policy_against_inline_script()
    {
        using var http = new HttpClient { BaseAddress = browser.Server.Address };

        using var page = await http.GetAsync("/", Token);

        page.EnsureSuccessStatusCode();
        page.Content.Headers.ContentType?.MediaType.ShouldBe("text/html");
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        policy.ShouldContain("script-src 'self'");
        policy.ShouldContain("frame-ancestors 'none'");
        policy.ShouldNotContain("unsafe-inline");
        page.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        (await http.GetStringAsync("/api/ui-config", Token)).ShouldBe("{\"sign_in\":\"development\"}");
    }

    /// <summary>Presses Tab until the element with <paramref name="id"/> (or matching <paramref name="selector"/>) has focus.</summary>
    private static async Task TabToAsync(IPage page, string? id, string? selector = null)
    {
        for (var presses = 0; presses < 40; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<bool>(
                "([id, selector]) => id ? document.activeElement?.id === id : document.activeElement?.matches(selector) === true",
                new[] { id, selector });
            if (focused)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Tab never reached {id ?? selector}.");
    }
}
