using System.Net;
using Cruddur.Testing;
using Cruddur.Web.Hardening;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.Tests.Hardening;

/// <summary>What every answer carries or leaves out: nosniff, no Server header, CORS for configured origins only.</summary>
public sealed class HardeningTests(LocalServicesFixture services)
{
    private const string AllowedOrigin = "https://app.cruddur.example";
    private const string RefusedOrigin = "https://evil.example";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_real_Kestrel_answers_of_every_kind_carry_nosniff_and_no_Server_header()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, kestrel: true);
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var anonymous = app.CreateClient();
        anonymous.BaseAddress!.Host.ShouldBe("127.0.0.1");

        foreach (var (client, path, status) in new[]
        {
            (anonymous, "/api/health-check", HttpStatusCode.OK),
            (alice.Client, "/api/message_groups", HttpStatusCode.OK),
            (anonymous, "/api/message_groups", HttpStatusCode.Unauthorized),
            (alice.Client, $"/api/messages/{Guid.NewGuid()}", HttpStatusCode.NotFound),
            (anonymous, "/api/nothing-here", HttpStatusCode.NotFound),
            (alice.Client, "/api/message_groups?limit=0", HttpStatusCode.BadRequest),
        })
        {
            using var response = await client.GetAsync(path, Token);
            response.StatusCode.ShouldBe(status, path);
            response.Headers.Contains("Server").ShouldBeFalse(path);
            response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"], path);
            response.Headers.CacheControl.ShouldNotBeNull(path).NoStore.ShouldBeTrue(path);
            Api.ShouldNotLeakInternals(await response.Content.ReadAsStringAsync(Token));
        }
    }

    [Fact]
    public async Task A_500_carries_nosniff_and_says_nothing_of_the_cause()
    {
        await using var broken = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?> { ["LocalRun:LoadSchemas"] = "false" });
        using var response = await broken.CreateClient().GetAsync("/api/users/@someone/short", Token);
        await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError, "internal_error");
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
    }

    [Fact]
    public async Task Without_configured_origins_no_origin_passes_a_preflight()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        using var response = await PreflightAsync(app, AllowedOrigin);
        response.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task A_configured_origin_passes_the_preflight_and_another_does_not()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins:0"] = AllowedOrigin + "/",
        });

        using (var allowed = await PreflightAsync(app, AllowedOrigin))
        {
            allowed.IsSuccessStatusCode.ShouldBeTrue();
            allowed.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([AllowedOrigin]);
            allowed.Headers.GetValues("Access-Control-Allow-Methods").Single().ShouldContain("POST");
            string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")).ToUpperInvariant().ShouldContain("AUTHORIZATION");
            allowed.Headers.Contains("Access-Control-Allow-Credentials").ShouldBeFalse();
        }

        using (var refused = await PreflightAsync(app, RefusedOrigin))
        {
            refused.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
        }

        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/message_groups?limit=1");
        request.Headers.Add("Origin", AllowedOrigin);
        using var read = await alice.Client.SendAsync(request, Token);
        read.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([AllowedOrigin]);
        read.Headers.GetValues("Access-Control-Expose-Headers").Single().ShouldContain("Link");
    }

    private static async Task<HttpResponseMessage> PreflightAsync(CruddurWebApplication app, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/messages");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return await app.CreateClient().SendAsync(request, Token);
    }

    [Fact]
    public async Task A_dev_sign_in_answer_with_its_token_is_not_stored_by_any_cache()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        using var response = await app.CreateClient().PostRawAsync("/api/dev/sign-in", $$"""{"handle": "{{CruddurWebApplication.UniqueHandle("cache")}}"}""");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.CacheControl.ShouldNotBeNull().NoStore.ShouldBeTrue();
    }

    [Theory]
    [InlineData("Production", true)]
    [InlineData("Development", false)]
    public async Task HSTS_is_sent_over_HTTPS_outside_Development(string environment, bool expected)
    {
        await using var app = await CruddurWebApplication.StartAsync(services, environment, extra: FakeUserPoolSettings);
        using var client = app.CreateClient();
        client.BaseAddress = new Uri("https://cruddur.example/");

        using var response = await client.GetAsync("/api/health-check", Token);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Contains("Strict-Transport-Security").ShouldBe(expected);
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:5000")]
    [InlineData("urls", "http://127.0.0.1:5000;http://*:5001")]
    [InlineData("Kestrel:Endpoints:Public:Url", "http://192.168.1.20:8080")]
    [InlineData("DynamoDb:Region", "us-east-1")]
    public async Task Development_refuses_to_start_beyond_this_machine_unless_allowed(string key, string value)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key == "DynamoDb:Region")
        {
            settings["DynamoDb:ServiceUrl"] = "";
        }

        // The check runs at start (ValidateOnStart), and StartupFailure turns it into one line and exit code 1 (see
        // ProductionStartTests); in-process the test host keeps going, so the check is read here.
        await using (var refused = await CruddurWebApplication.StartAsync(services, extra: settings))
        {
            Should.Throw<OptionsValidationException>(() => refused.Services.GetRequiredService<IOptions<DevelopmentGuardSettings>>().Value)
                .Message.ShouldContain("Development:AllowNonLocal");
        }

        if (key != "DynamoDb:Region")
        {
            settings["Development:AllowNonLocal"] = "true";
            await using var allowed = await CruddurWebApplication.StartAsync(services, extra: settings);
            allowed.Services.GetRequiredService<IOptions<DevelopmentGuardSettings>>().Value.AllowNonLocal.ShouldBeTrue();
            (await allowed.CreateClient().GetAsync("/api/health-check", Token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("http://127.0.0.1:0;http://[::1]:5001")]
    public async Task Development_on_loopback_starts(string urls)
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?> { ["urls"] = urls });
        app.Services.GetRequiredService<IOptions<DevelopmentGuardSettings>>().Value.AllowNonLocal.ShouldBeFalse();
        (await app.CreateClient().GetAsync("/api/health-check", Token)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static Dictionary<string, string?> FakeUserPoolSettings => new()
    {
        ["Authentication:Cognito:Region"] = "us-east-1",
        ["Authentication:Cognito:UserPoolId"] = "us-east-1_TestPool1",
        ["Authentication:Cognito:ClientId"] = "3n4b5urk1ft4fl3mg5e62d9ado",
    };
}
