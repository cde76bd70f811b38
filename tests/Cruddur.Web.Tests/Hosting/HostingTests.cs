using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cruddur.Web.Tests.Hosting;

/// <summary>The app around the routes: the hot path, rate limiting, readiness and the API description.</summary>
public sealed class HostingTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Warm_reads_make_no_PostgreSQL_call_and_only_their_own_DynamoDB_queries()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        var database = new NpgsqlConnectionStringBuilder(app.Settings["ConnectionStrings:Postgres"]).Database!;
        var postgresCalls = new ConcurrentQueue<string>();
        var dynamoDbCalls = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Npgsql", StringComparison.Ordinal) || source.Name == MessagingTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == MessagingTelemetry.SourceName)
                {
                    // Every table call is one span of the store gateway, named by its operation; this app's table only.
                    if (activity.GetTagItem("aws.dynamodb.table_names") as string == app.TableName && activity.GetTagItem("cruddur.operation") is string operation)
                    {
                        dynamoDbCalls.Enqueue(operation);
                    }
                }
                else if (activity.TagObjects.Any(tag => tag.Value?.ToString()?.Contains(database, StringComparison.Ordinal) == true))
                {
                    postgresCalls.Enqueue(activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var group = (await alice.Client.SendToHandleAsync(bob.Handle, "warm up")).GetProperty("message_group_uuid").GetGuid();
        using var bobCold = await bob.Client.GetAsync($"/api/messages/{group}", Token);
        bobCold.StatusCode.ShouldBe(HttpStatusCode.OK);
        postgresCalls.ShouldNotBeEmpty(); // the listener sees this database's calls (sign-ins, first token look-ups)

        // A reads the page with the group's read marker (read_by_other) in one Query; B reads one page.
        foreach (var (path, operation) in new[] { ($"/api/messages/{group}", "A.query"), ("/api/message_groups", "B.query") })
        {
            dynamoDbCalls.Clear();
            postgresCalls.Clear();
            (await bob.Client.GetJsonAsync(path)).GetArrayLength().ShouldBe(1);
            dynamoDbCalls.ToArray().ShouldBe([operation], path);
            postgresCalls.ShouldBeEmpty(path);
        }
    }

    [Fact]
    public async Task With_the_local_stream_processor_a_reply_moves_both_group_rows()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?> { ["LocalRun:StreamProcessor"] = "true" });
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var group = (await alice.Client.SendToHandleAsync(bob.Handle, "question")).GetProperty("message_group_uuid").GetGuid();
        var reply = await bob.Client.SendToGroupAsync(group, "answer");

        foreach (var reader in new[] { alice, bob })
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                var row = (await reader.Client.GetJsonAsync("/api/message_groups"))[0];
                if (row.GetProperty("message").GetString() == "answer")
                {
                    row.GetProperty("created_at").GetString().ShouldBe(reply.GetProperty("created_at").GetString());
                    break;
                }

                DateTime.UtcNow.ShouldBeLessThan(deadline, "the group row did not follow the reply");
                await Task.Delay(100, Token);
            }
        }
    }

    [Fact]
    public async Task Posting_is_rate_limited_per_user_with_a_429_problem()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?>
        {
            ["RateLimiting:Posts:PermitLimit"] = "2",
            ["RateLimiting:Posts:Window"] = "00:10:00",
        });
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var group = (await alice.Client.SendToHandleAsync(bob.Handle, "one")).GetProperty("message_group_uuid").GetGuid();
        await alice.Client.SendToGroupAsync(group, "two");

        using var third = await alice.Client.PostMessageAsync(new { message = "three", message_group_uuid = group });

        await third.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        third.Headers.RetryAfter.ShouldNotBeNull();
        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(2);
        await bob.Client.SendToGroupAsync(group, "bob has his own allowance");
        (await alice.Client.GetJsonAsync($"/api/messages/{group}")).GetArrayLength().ShouldBe(3); // reading is not limited
    }

    [Fact]
    public async Task Readiness_pings_both_stores()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        using var response = await app.CreateClient().GetAsync("/health/ready", Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Token)).ShouldBe("Healthy");
    }

    [Fact]
    public async Task Readiness_is_503_when_PostgreSQL_is_unreachable()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?>
        {
            ["LocalRun:LoadSchemas"] = "false",
            ["ConnectionStrings:Postgres"] = $"Host=127.0.0.1;Port={UnusedPort()};Username=postgres;Timeout=2",
        });
        using var response = await app.CreateClient().GetAsync("/health/ready", Token);
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        using var user = await app.CreateClient().GetAsync("/api/users/@someone/short", Token);
        await user.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
    }

    [Fact]
    public async Task Development_serves_the_OpenAPI_document_and_the_Scalar_reference()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        using var client = app.CreateClient();

        var document = await client.GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/messages");
        paths.ShouldContain("/api/messages/{message_group_uuid}");
        paths.ShouldContain("/api/message_groups");
        paths.ShouldContain("/api/users/@{handle}/short");
        paths.ShouldContain("/api/dev/sign-in");

        using var scalar = await client.GetAsync("/scalar/v1", Token);
        scalar.StatusCode.ShouldBe(HttpStatusCode.OK);
        scalar.Content.Headers.ContentType?.MediaType.ShouldBe("text/html");
    }

    private static int UnusedPort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
