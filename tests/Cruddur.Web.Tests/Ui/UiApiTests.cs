using System.Net;
using System.Text;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.Ui;

/// <summary>What the web UI needs from the server besides the original routes: its settings, the user, live changes.</summary>
public sealed class UiApiTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_Cognito_and_its_domain_the_UI_is_told_to_use_the_hosted_sign_in()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, environment: "Production", extra: new Dictionary<string, string?>
        {
            ["Authentication:Cognito:Region"] = "eu-west-2",
            ["Authentication:Cognito:UserPoolId"] = "eu-west-2_pool",
            ["Authentication:Cognito:ClientId"] = "client123",
            ["Authentication:Cognito:Domain"] = "https://cruddur.auth.eu-west-2.amazoncognito.com/",
            ["Authentication:Cognito:RedirectUri"] = "https://cruddur.example/",
        });
        using var client = app.CreateClient();

        (await client.GetStringAsync("/api/ui-config", Token)).ShouldBe(
            "{\"sign_in\":\"cognito\",\"cognito\":{\"domain\":\"cruddur.auth.eu-west-2.amazoncognito.com\",\"client_id\":\"client123\",\"redirect_uri\":\"https://cruddur.example/\",\"scopes\":\"openid aws.cognito.signin.user.admin\",\"logout\":true}}");
        using var page = await client.GetAsync("/", Token);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("connect-src 'self' https://cruddur.auth.eu-west-2.amazoncognito.com;");
        using var dev = await client.PostRawAsync("/api/dev/sign-in", "{\"handle\":\"x\"}");
        dev.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task With_Cognito_but_no_domain_the_UI_is_told_sign_in_is_unavailable()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, environment: "Production", extra: new Dictionary<string, string?>
        {
            ["Authentication:Cognito:Region"] = "eu-west-2",
            ["Authentication:Cognito:UserPoolId"] = "eu-west-2_pool",
            ["Authentication:Cognito:ClientId"] = "client123",
        });
        using var client = app.CreateClient();

        (await client.GetStringAsync("/api/ui-config", Token)).ShouldBe("{\"sign_in\":\"unavailable\"}");
    }

    [Fact]
    public async Task Me_names_the_signed_in_user_and_needs_a_token()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"), "Alice A");
        using var anonymous = app.CreateClient();

        var me = await alice.Client.GetJsonAsync("/api/me");

        me.GetProperty("uuid").GetGuid().ShouldBe(alice.Uuid);
        me.GetProperty("handle").GetString().ShouldBe(alice.Handle);
        me.GetProperty("display_name").GetString().ShouldBe("Alice A");
        using var refused = await anonymous.GetAsync("/api/me", Token);
        await refused.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "authentication_required");
        using var events = await anonymous.GetAsync("/api/events", Token);
        await events.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "authentication_required");
    }

    [Fact]
    public async Task Events_tell_both_members_of_a_new_message_once_the_rows_show_it_and_no_one_else()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?> { ["LocalRun:StreamProcessor"] = "true" });
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        using var carol = await app.SignInAsync(CruddurWebApplication.UniqueHandle("carol"));
        await using var aliceEvents = await EventReader.OpenAsync(alice.Client);
        await using var bobEvents = await EventReader.OpenAsync(bob.Client);
        await using var carolEvents = await EventReader.OpenAsync(carol.Client);

        var group = (await alice.Client.SendToHandleAsync(bob.Handle, "hello")).GetProperty("message_group_uuid").GetGuid();
        var expected = $"data: {{\"message_group_uuid\":\"{group:D}\",\"kind\":\"message\"}}";

        (await aliceEvents.NextDataLineAsync()).ShouldBe(expected);
        (await bobEvents.NextDataLineAsync()).ShouldBe(expected);
        (await bob.Client.GetJsonAsync("/api/message_groups"))[0].GetProperty("message").GetString().ShouldBe("hello");
        aliceEvents.Response.Content.Headers.ContentType?.MediaType.ShouldBe("text/event-stream");

        // Carol hears nothing of it: a message of her own is the next thing she hears.
        var own = (await carol.Client.SendToHandleAsync(alice.Handle, "me too")).GetProperty("message_group_uuid").GetGuid();
        (await carolEvents.NextDataLineAsync()).ShouldBe($"data: {{\"message_group_uuid\":\"{own:D}\",\"kind\":\"message\"}}");
    }
}
