using System.Net;
using System.Text.Json.Nodes;
using Cruddur.Local.Launcher;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cruddur.Web.Tests.Authentication;

/// <summary>
/// The app against a Cognito-shaped server: cognito-local issues the tokens (password sign-in), the app fetches the
/// pool's JWKS from it, and a first sign-in reads the user with GetUser there.
/// </summary>
public sealed class CognitoLocalTests(LocalServicesFixture services, CognitoLocalFixture cognito) : IAsyncLifetime
{
    private const string Password = "Passw0rd!";
    private LocalUserPool pool = null!;
    private CruddurWebApplication app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        pool = await cognito.CreatePoolAsync();
        app = await CruddurWebApplication.StartAsync(services, environment: "Production", extra: pool.WebSettings);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_token_from_the_pool_of_a_bound_user_is_accepted()
    {
        var (handle, username) = await BoundUserAsync();
        var (accessToken, _) = await pool.SignInAsync(username, Password, Token);

        using var client = app.CreateAuthorizedClient(accessToken);
        var me = await client.GetJsonAsync("/api/me");

        me.GetProperty("handle").GetString().ShouldBe(handle);
    }

    [Fact]
    public async Task A_token_of_another_pool_is_refused()
    {
        var other = await cognito.CreatePoolAsync();
        var username = CruddurWebApplication.UniqueHandle("elsewhere");
        await other.CreateUserAsync(username, Password, new Dictionary<string, string> { ["preferred_username"] = username }, Token);
        var (accessToken, _) = await other.SignInAsync(username, Password, Token);

        using var response = await app.CreateAuthorizedClient(accessToken).GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_invalid");
        (await app.Services.GetRequiredService<UserStore>().FindByHandleAsync(username, Token)).ShouldBeNull();
    }

    [Fact]
    public async Task A_token_of_another_app_client_of_the_same_pool_is_refused()
    {
        var (_, username) = await BoundUserAsync();
        var created = await pool.Emulator.Client.CallAsync(
            "CreateUserPoolClient",
            new JsonObject { ["UserPoolId"] = pool.UserPoolId, ["ClientName"] = "another", ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH") },
            Token);
        var otherClient = pool with { ClientId = created.GetProperty("UserPoolClient").GetProperty("ClientId").GetString()! };
        var (accessToken, _) = await otherClient.SignInAsync(username, Password, Token);

        using var response = await app.CreateAuthorizedClient(accessToken).GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_invalid");
    }

    [Fact]
    public async Task An_id_token_is_refused()
    {
        var (_, username) = await BoundUserAsync();
        var (_, idToken) = await pool.SignInAsync(username, Password, Token);

        using var response = await app.CreateAuthorizedClient(idToken).GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_not_access");
    }

    [Fact]
    public async Task A_token_past_its_expiry_is_refused()
    {
        var (_, username) = await BoundUserAsync();
        var (accessToken, _) = await pool.SignInAsync(username, Password, Token);

        // cognito-local's tokens last 24 h: the app's clock moves past that instead.
        await using var later = await CruddurWebApplication.StartAsync(
            services,
            environment: "Production",
            extra: pool.WebSettings,
            configureServices: services => services.AddSingleton<TimeProvider>(new ShiftedTime(TimeSpan.FromHours(25))));
        using var response = await later.CreateAuthorizedClient(accessToken).GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        using var now = await app.CreateAuthorizedClient(accessToken).GetAsync("/api/message_groups", Token);
        now.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_first_sign_in_creates_the_user_from_preferred_username_and_name()
    {
        var handle = CruddurWebApplication.UniqueHandle("newcomer");
        var sub = await pool.CreateUserAsync($"{handle}-login", Password, new Dictionary<string, string> { ["preferred_username"] = handle, ["name"] = "New Comer" }, Token);
        var (accessToken, _) = await pool.SignInAsync($"{handle}-login", Password, Token);

        using var client = app.CreateAuthorizedClient(accessToken);
        var me = await client.GetJsonAsync("/api/me");
        var again = await client.GetJsonAsync("/api/me");

        me.GetProperty("handle").GetString().ShouldBe(handle);
        me.GetProperty("display_name").GetString().ShouldBe("New Comer");
        again.GetProperty("uuid").GetGuid().ShouldBe(me.GetProperty("uuid").GetGuid());
        var stored = await app.Services.GetRequiredService<UserStore>().FindByHandleAsync(handle, Token);
        stored.ShouldNotBeNull().CognitoUserId.ShouldBe(sub);
        (await app.Services.GetRequiredService<UserStore>().FindByCognitoUserIdAsync(sub, Token))!.Uuid.ShouldBe(stored.Uuid);
    }

    [Fact]
    public async Task A_first_sign_in_naming_an_existing_unbound_row_is_refused_and_the_row_stays_unbound()
    {
        var handle = CruddurWebApplication.UniqueHandle("seeded");
        var users = app.Services.GetRequiredService<UserStore>();
        var seeded = await users.CreateIfAbsentAsync(handle, "Seeded Person", $"{handle}@example.invalid", cognitoUserId: null, Token);
        var sub = await pool.CreateUserAsync($"{handle}-claimer", Password, new Dictionary<string, string> { ["preferred_username"] = handle, ["name"] = "Claimer" }, Token);
        var (accessToken, _) = await pool.SignInAsync($"{handle}-claimer", Password, Token);
        var countBefore = await CountUsersAsync();

        using var response = await app.CreateAuthorizedClient(accessToken).GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "handle_taken");
        (await users.FindByHandleAsync(handle, Token)).ShouldBe(seeded);
        (await users.FindByCognitoUserIdAsync(sub, Token)).ShouldBeNull();
        (await CountUsersAsync()).ShouldBe(countBefore);
    }

    [Fact]
    public async Task A_first_sign_in_without_preferred_username_is_refused()
    {
        var username = CruddurWebApplication.UniqueHandle("anonymous");
        var sub = await pool.CreateUserAsync(username, Password, new Dictionary<string, string> { ["name"] = "No Handle" }, Token);
        var (accessToken, _) = await pool.SignInAsync(username, Password, Token);

        using var response = await app.CreateAuthorizedClient(accessToken).GetAsync("/api/message_groups", Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "profile_incomplete");
        (await app.Services.GetRequiredService<UserStore>().FindByCognitoUserIdAsync(sub, Token)).ShouldBeNull();
    }

    /// <summary>A pool user and a row bound to their sub, as update-cognito-user-ids leaves them.</summary>
    private async Task<(string Handle, string Username)> BoundUserAsync()
    {
        var handle = CruddurWebApplication.UniqueHandle("bound");
        var username = $"{handle}-login";
        var sub = await pool.CreateUserAsync(username, Password, new Dictionary<string, string> { ["preferred_username"] = handle }, Token);
        await app.Services.GetRequiredService<UserStore>().CreateIfAbsentAsync(handle, "Bound", $"{handle}@example.invalid", sub, Token);
        return (handle, username);
    }

    private async Task<long> CountUsersAsync()
    {
        await using var command = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT count(*) FROM users");
        return (long)(await command.ExecuteScalarAsync(Token))!;
    }

    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
