using Cruddur.Testing;
using Microsoft.Playwright;

namespace Cruddur.Web.BrowserTests.Infrastructure;

/// <summary>
/// One app server and one headless Debian Chromium for a test class; each test opens its own browser contexts
/// (one per signed-in user) and makes its own users.
/// </summary>
public sealed class BrowserFixture(LocalServicesFixture services) : IAsyncLifetime
{
    private IPlaywright? playwright;

    public UiServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the screenshots go: <c>screenshots/</c> next to the test assembly (bin/Debug/net10.0/screenshots).</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async ValueTask InitializeAsync()
    {
        Server = await UiServer.StartAsync(services, CancellationToken.None);
        var executable = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"No Chromium at {executable}: install Debian's chromium (./test.sh does, as root) or set CHROMIUM_PATH.");
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // No GPU here, and a closed network: stop Chromium's own background traffic.
            Args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-default-apps"],
        });

        // Live updates come through the stream processor and an event stream: allow a loaded 2-core machine some slack.
        Assertions.SetDefaultExpectTimeout(10_000);
    }

    /// <summary>A fresh browser context (its own session storage: one signed-in user) and a page at the app.</summary>
    public async Task<IPage> OpenPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.Address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
