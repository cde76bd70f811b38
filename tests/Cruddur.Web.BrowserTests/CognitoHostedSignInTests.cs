using System.Text.Json.Nodes;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Cruddur.Web.BrowserTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cruddur.Web.BrowserTests;

/// <summary>
/// Cognito's hosted sign-in (authorization code + PKCE) in a real Chromium against cognito-local: its login form, back
/// to the app, a first sign-in that creates the user, a message sent, and sign-out (cognito-local has no /logout).
/// </summary>
public sealed class CognitoHostedSignInTests(BrowserFixture browser, LocalServicesFixture services, CognitoLocalFixture cognito) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pool_user_signs_in_on_the_hosted_form_lands_back_sends_a_message_and_signs_out()
    {
        var pool = await cognito.CreatePoolAsync();
        await using var server = await UiServer.StartAsync(services, Token, pool.WebSettings);
        await cognito.Emulator.Client.CallAsync(
            "UpdateUserPoolClient",
            new JsonObject
            {
                ["UserPoolId"] = pool.UserPoolId,
                ["ClientId"] = pool.ClientId,
                ["AllowedOAuthFlows"] = new JsonArray("code"),
                ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH"),
                ["CallbackURLs"] = new JsonArray((JsonNode)server.Address.ToString()),
            },
            Token);
        var handle = UiServer.UniqueHandle("hosted");
        await pool.CreateUserAsync($"{handle}-login", "Passw0rd!", new Dictionary<string, string> { ["preferred_username"] = handle, ["name"] = "Hosted Person" }, Token);
        var friend = UiServer.UniqueHandle("friend");
        await server.Services.GetRequiredService<UserStore>().CreateIfAbsentAsync(friend, "Friend F", $"{friend}@example.invalid", Guid.NewGuid().ToString(), Token);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.Address.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await Expect(page.Locator("#sign-in")).ToContainTextAsync("Amazon Cognito");
        await page.SaveScreenshotAsync("cognito-sign-in");
        await page.Locator("#sign-in-button").ClickAsync();
        await Expect(page.Locator("input[name=username]")).ToBeVisibleAsync();
        page.Url.ShouldStartWith(cognito.Emulator.ServiceUrl + "oauth2/authorize");
        await page.Locator("input[name=username]").FillAsync($"{handle}-login");
        await page.Locator("input[name=password]").FillAsync("Passw0rd!");
        await page.Locator("button[type=submit]").ClickAsync();

        await Expect(page.Locator("#me")).ToHaveTextAsync($"Hosted Person @{handle}");
        page.Url.ShouldNotContain("code=");
        await page.StartConversationAsync(friend, "Friend F");
        await page.SendAsync("Signed in through the pool");
        await Expect(page.Group(friend)).ToBeVisibleAsync();
        await page.SaveScreenshotAsync("cognito-signed-in");

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await Expect(page.Locator("#app")).ToBeHiddenAsync();
        (await page.EvaluateAsync<int>("() => sessionStorage.length")).ShouldBe(0);
        (await server.Services.GetRequiredService<UserStore>().FindByHandleAsync(handle, Token)).ShouldNotBeNull().CognitoUserId.ShouldNotBeNull();
        await context.CloseAsync();
    }
}
