using System.Net;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Web.Tests.DevSignIn;

/// <summary><c>POST /api/dev/sign-in</c> in Development: signs up on first use, answers a token shaped like OAuth's.</summary>
public sealed class DevSignInTests(LocalServicesFixture services) : IAsyncLifetime
{
    private CruddurWebApplication app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await CruddurWebApplication.StartAsync(services);

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Sign_in_creates_the_user_and_answers_a_bearer_token()
    {
        var handle = CruddurWebApplication.UniqueHandle("dana");
        using var response = await app.CreateClient().PostRawAsync(
            "/api/dev/sign-in", $$"""{"handle": "@{{handle}}", "display_name": "Dana D", "email": "dana@example.org"}""");

        var body = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        body.EnumerateObject().Select(p => p.Name).ShouldBe(["access_token", "token_type", "expires_in", "user"], ignoreOrder: true);
        body.GetProperty("token_type").GetString().ShouldBe("Bearer");
        body.GetProperty("expires_in").GetInt32().ShouldBeGreaterThan(0);
        body.GetProperty("access_token").GetString()!.Split('.').Length.ShouldBe(3);
        var user = body.GetProperty("user");
        user.EnumerateObject().Select(p => p.Name).ShouldBe(["uuid", "handle", "display_name"], ignoreOrder: true);
        user.GetProperty("handle").GetString().ShouldBe(handle);
        user.GetProperty("display_name").GetString().ShouldBe("Dana D");

        var stored = await app.Services.GetRequiredService<UserStore>().FindByHandleAsync(handle, Token);
        stored.ShouldNotBeNull().Uuid.ShouldBe(user.GetProperty("uuid").GetGuid());
        stored.Email.ShouldBe("dana@example.org");
        using var client = app.CreateAuthorizedClient(body.GetProperty("access_token").GetString()!);
        (await client.GetJsonAsync("/api/message_groups")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Signing_in_again_is_the_same_user()
    {
        var handle = CruddurWebApplication.UniqueHandle("erin");
        using var first = await app.SignInAsync(handle, "Erin");
        using var second = await app.SignInAsync(handle, "Someone Else");

        second.Uuid.ShouldBe(first.Uuid);
        second.DisplayName.ShouldBe("Erin");
    }

    [Theory]
    [InlineData("""{"handle": ""}""")]
    [InlineData("""{"handle": "has space"}""")]
    [InlineData("""{"handle": "much_too_long_for_a_handle_of_cruddur"}""")]
    [InlineData("""{"display_name": "No Handle"}""")]
    public async Task An_invalid_handle_is_422(string body)
    {
        using var response = await app.CreateClient().PostRawAsync("/api/dev/sign-in", body);
        await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "handle_invalid");
    }

    [Theory]
    [InlineData("""{"handle": "fred", "password": "x"}""", "application/json", HttpStatusCode.BadRequest, "body_unknown_field")]
    [InlineData("""{"handle": """, "application/json", HttpStatusCode.BadRequest, "body_malformed")]
    [InlineData("""{"handle": "fred"}""", "text/plain", HttpStatusCode.UnsupportedMediaType, "content_type_unsupported")]
    public async Task A_bad_body_is_refused(string body, string contentType, HttpStatusCode status, string code)
    {
        using var response = await app.CreateClient().PostRawAsync("/api/dev/sign-in", body, contentType);
        await response.ShouldBeProblemAsync(status, code);
        (await app.Services.GetRequiredService<UserStore>().FindByHandleAsync("fred", Token)).ShouldBeNull();
    }

    [Fact]
    public async Task Dev_sign_in_is_absent_in_Production_even_without_Cognito_settings_of_its_own()
    {
        // Production refuses to start without Cognito; with Cognito configured the route is not mapped.
        await using var pool = await FakeUserPoolKeys.StartAsync();
        await using var production = await CruddurWebApplication.StartAsync(services, environment: "Staging", extra: pool.Settings);
        using var response = await production.CreateClient().PostRawAsync("/api/dev/sign-in", """{"handle": "mallory"}""");
        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    // Production without Cognito settings does not start: the app's own process shows it (Hosting/ProductionStartTests),
    // as it now prints one line and exits instead of throwing into the host.
}
