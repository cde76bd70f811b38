using System.Net;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Web.Tests.Authentication;

/// <summary>
/// The AWS mode for real: Cognito-shaped access tokens signed with the test's RSA key, whose JWKS the app fetches
/// over HTTP from 127.0.0.1. Every way a token can be wrong is a 401 problem.
/// </summary>
public sealed class CognitoTokenTests(LocalServicesFixture services) : IAsyncLifetime
{
    private FakeUserPoolKeys pool = null!;
    private CruddurWebApplication app = null!;
    private User user = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        pool = await FakeUserPoolKeys.StartAsync();
        app = await CruddurWebApplication.StartAsync(services, environment: "Production", extra: pool.Settings);
        var handle = CruddurWebApplication.UniqueHandle("cognito");
        user = await app.Services.GetRequiredService<UserStore>()
            .CreateIfAbsentAsync(handle, "Cognito User", $"{handle}@example.invalid", Guid.NewGuid().ToString(), Token);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_access_token_of_a_known_user_is_accepted()
    {
        using var client = app.CreateAuthorizedClient(pool.CreateToken(user.CognitoUserId!));
        using var response = await client.GetAsync("/api/message_groups", Token);
        (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_Cognito_user_can_message_another()
    {
        var otherHandle = CruddurWebApplication.UniqueHandle("other");
        await app.Services.GetRequiredService<UserStore>().CreateIfAbsentAsync(otherHandle, "Other", $"{otherHandle}@example.invalid", Guid.NewGuid().ToString(), Token);
        using var client = app.CreateAuthorizedClient(pool.CreateToken(user.CognitoUserId!));

        var sent = await client.SendToHandleAsync(otherHandle, "from Cognito");

        sent.GetProperty("handle").GetString().ShouldBe(user.Handle);
        sent.GetProperty("display_name").GetString().ShouldBe("Cognito User");
    }

    [Fact]
    public async Task While_the_user_pool_keys_cannot_be_fetched_a_token_is_503_not_401()
    {
        var gone = await FakeUserPoolKeys.StartAsync();
        var (settings, token) = (gone.Settings, gone.CreateToken(user.CognitoUserId!));
        await gone.DisposeAsync();
        await using var outage = await CruddurWebApplication.StartAsync(services, environment: "Production", extra: settings);
        using var client = outage.CreateAuthorizedClient(token);

        using var response = await client.GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        response.Headers.RetryAfter.ShouldNotBeNull();
    }

    public static TheoryData<string> BadTokens() => ["wrong issuer", "expired", "id token", "wrong client id", "bad signature", "unsigned"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_401(string what)
    {
        var sub = user.CognitoUserId!;
        var token = what switch
        {
            "wrong issuer" => pool.CreateToken(sub, issuer: $"https://cognito-idp.{FakeUserPoolKeys.Region}.amazonaws.com/{FakeUserPoolKeys.PoolId}"),
            "expired" => pool.CreateToken(sub, expiresIn: TimeSpan.FromMinutes(-10)),
            "id token" => pool.CreateToken(sub, tokenUse: "id"),
            "wrong client id" => pool.CreateToken(sub, clientId: "another-app-client"),
            "bad signature" => pool.CreateToken(sub, signingKey: FakeUserPoolKeys.ForeignKey()),
            "unsigned" => string.Join('.', pool.CreateToken(sub).Split('.')[..2]) + ".",
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var code = what switch
        {
            "expired" => "token_expired",
            "id token" => "token_not_access",
            _ => "token_invalid",
        };
        using var client = app.CreateAuthorizedClient(token);

        using var response = await client.GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, code);
        response.Headers.WwwAuthenticate.ToString().ShouldContain("invalid_token");
    }

    [Fact]
    public async Task A_missing_token_is_401()
    {
        using var response = await app.CreateClient().GetAsync("/api/message_groups", Token);
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "authentication_required");
    }

    [Fact]
    public async Task A_valid_token_of_an_unknown_user_is_401()
    {
        using var client = app.CreateAuthorizedClient(pool.CreateToken(Guid.NewGuid().ToString()));
        using var response = await client.GetAsync("/api/message_groups", Token);
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "user_unknown");
    }

    [Fact]
    public async Task Dev_sign_in_does_not_exist_outside_Development()
    {
        using var response = await app.CreateClient().PostRawAsync("/api/dev/sign-in", """{"handle": "intruder"}""");
        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
        (await app.Services.GetRequiredService<UserStore>().FindByHandleAsync("intruder", Token)).ShouldBeNull();
    }

    [Fact]
    public async Task The_OpenAPI_document_is_not_served_outside_Development()
    {
        using var response = await app.CreateClient().GetAsync("/openapi/v1.json", Token);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
