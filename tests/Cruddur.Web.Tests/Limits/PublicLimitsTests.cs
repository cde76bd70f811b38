using System.Net;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Cruddur.Web.Tests.Limits;

/// <summary>Anonymous routes that cost store calls: readiness answered from a recent result, per-address limits on the rest.</summary>
public sealed class PublicLimitsTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_answers_its_last_result_until_it_is_a_second_old()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var database = new NpgsqlConnectionStringBuilder(await services.CreateDatabaseAsync(Token));
        var postgresPort = database.Port;
        await using var proxy = new TcpProxy(postgresPort);
        (database.Host, database.Port, database.Pooling, database.Timeout) = ("127.0.0.1", proxy.Port, false, 3);
        await using var app = await CruddurWebApplication.StartAsync(
            services,
            extra: new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database.ConnectionString },
            configureServices: collection => collection.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var client = app.CreateClient();
        (await client.GetAsync("/health/ready", Token)).StatusCode.ShouldBe(HttpStatusCode.OK);

        proxy.TargetPort = 1; // PostgreSQL unreachable: a probe now would fail
        for (var i = 0; i < 5; i++)
        {
            (await client.GetAsync("/health/ready", Token)).StatusCode.ShouldBe(HttpStatusCode.OK, "answered from the cached result, no store call");
        }

        clock.Advance(TimeSpan.FromSeconds(2));
        (await client.GetAsync("/health/ready", Token)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        proxy.TargetPort = postgresPort;
        clock.Advance(TimeSpan.FromSeconds(2));
        (await client.GetAsync("/health/ready", Token)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task User_look_ups_and_dev_sign_ins_from_one_address_are_limited_with_a_429_problem()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?>
        {
            ["RateLimiting:Public:PermitLimit"] = "3",
            ["RateLimiting:Public:Window"] = "00:10:00",
        });
        var handle = CruddurWebApplication.UniqueHandle("limited");
        using var client = app.CreateClient();
        using (var signIn = await client.PostRawAsync("/api/dev/sign-in", $$"""{"handle": "{{handle}}"}"""))
        {
            signIn.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        for (var i = 0; i < 2; i++)
        {
            using var lookUp = await client.GetAsync($"/api/users/@{handle}/short", Token);
            lookUp.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var refused = await client.GetAsync($"/api/users/@{handle}/short", Token);
        await refused.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        using var refusedSignIn = await client.PostRawAsync("/api/dev/sign-in", """{"handle": "another_one"}""");
        await refusedSignIn.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }
}
