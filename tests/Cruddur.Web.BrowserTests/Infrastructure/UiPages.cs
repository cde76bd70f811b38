using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cruddur.Web.BrowserTests.Infrastructure;

/// <summary>What a user does in the UI, step by step, each step waiting (with a deadline) for the page to show its result.</summary>
public static class UiPages
{
    /// <summary>Signs in through the development sign-in form and waits for the app.</summary>
    public static async Task SignInAsync(this IPage page, string handle, string displayName)
    {
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await page.Locator("#sign-in-handle").FillAsync(handle);
        await page.Locator("#sign-in-display-name").FillAsync(displayName);
        await page.Locator("#sign-in-button").ClickAsync();
        await Expect(page.Locator("#me")).ToHaveTextAsync($"{displayName} @{handle}");
    }

    /// <summary>Starts (or reopens) the conversation with a handle through the "@handle" field.</summary>
    public static async Task StartConversationAsync(this IPage page, string handle, string displayName)
    {
        await page.Locator("#new-handle").FillAsync("@" + handle);
        await page.Locator("#new-conversation button[type=submit]").ClickAsync();
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync($"{displayName} @{handle}");
    }

    /// <summary>Types a message into the composer and sends it with Enter; waits until it is shown.</summary>
    public static async Task SendAsync(this IPage page, string text)
    {
        await page.Locator("#composer-text").FillAsync(text);
        await page.Locator("#composer-text").PressAsync("Enter");
        await Expect(page.Locator("#messages .message-text").Last).ToHaveTextAsync(text);
        await Expect(page.Locator("#composer-text")).ToHaveValueAsync("");
    }

    /// <summary>The list entry of the conversation with a handle.</summary>
    public static ILocator Group(this IPage page, string handle) =>
        page.Locator("#groups li").Filter(new LocatorFilterOptions { Has = page.Locator(".group-handle", new PageLocatorOptions { HasTextString = "@" + handle }) });

    public static Task SaveScreenshotAsync(this IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = false });
}
