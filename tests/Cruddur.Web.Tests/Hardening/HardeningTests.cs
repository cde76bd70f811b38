using System.Net;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

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
}
