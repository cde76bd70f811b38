using System.Net;
using System.Net.Sockets;
using Cruddur.Messaging.LocalServices;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Npgsql;

namespace Cruddur.Web.Tests.Resilience;

/// <summary>
/// A DynamoDB Local of this test's own, with a data folder, behind a proxy with a fixed address: stopping it turns
/// requests into 503 problems, and starting it again on the same data brings the app back by itself.
/// </summary>
public sealed class OutageTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task While_DynamoDB_is_stopped_requests_are_503_and_the_app_recovers_when_it_is_back()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("cruddur-outage-").FullName;
        var options = LocalServicesOptions.Throwaway();
        var dynamoDb = await DynamoDbLocal.StartAsync(options, dataDirectory, Token);
        var running = true;
        try
        {
            await using var proxy = new TcpProxy(dynamoDb.ServiceUrl.Port);
            await using var app = await CruddurWebApplication.StartAsync(services, dynamoDbServiceUrl: proxy.Url);
            using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
            using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
            var group = (await alice.Client.SendToHandleAsync(bob.Handle, "before the outage")).GetProperty("message_group_uuid").GetGuid();
            using (var ready = await app.CreateClient().GetAsync("/health/ready", Token))
            {
                ready.StatusCode.ShouldBe(HttpStatusCode.OK);
            }

            await dynamoDb.DisposeAsync();
            running = false;

            using (var read = await alice.Client.GetAsync($"/api/messages/{group}", Token))
            {
                await read.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
                read.Headers.RetryAfter.ShouldNotBeNull();
            }

            using (var groups = await alice.Client.GetAsync("/api/message_groups", Token))
            {
                await groups.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            }

            using (var post = await alice.Client.PostMessageAsync(new { message = "during the outage", message_group_uuid = group }))
            {
                await post.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            }

            using (var ready = await app.CreateClient().GetAsync("/health/ready", Token))
            {
                ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            }

            dynamoDb = await DynamoDbLocal.StartAsync(options, dataDirectory, Token);
            running = true;
            proxy.TargetPort = dynamoDb.ServiceUrl.Port;

            var messages = await alice.Client.GetJsonAsync($"/api/messages/{group}");
            messages.EnumerateArray().Select(m => m.GetProperty("message").GetString()).ShouldBe(["before the outage"]);
            await alice.Client.SendToGroupAsync(group, "after the outage");
            using (var ready = await app.CreateClient().GetAsync("/health/ready", Token))
            {
                ready.StatusCode.ShouldBe(HttpStatusCode.OK);
            }
        }
        finally
        {
            if (running)
            {
                await dynamoDb.DisposeAsync();
            }

            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task While_PostgreSQL_is_unreachable_sign_in_and_token_look_ups_are_503_and_the_app_recovers()
    {
        var database = new NpgsqlConnectionStringBuilder(await services.CreateDatabaseAsync(Token));
        var postgresPort = database.Port;
        await using var proxy = new TcpProxy(postgresPort);
        database.Host = "127.0.0.1";
        database.Port = proxy.Url.Port;
        database.Pooling = false; // every command opens a connection through the proxy
        database.Timeout = 3;
        await using var app = await CruddurWebApplication.StartAsync(
            services, extra: new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database.ConnectionString });
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        var bobHandle = CruddurWebApplication.UniqueHandle("bob");
        using var bob = await app.SignInAsync(bobHandle);
        await alice.Client.SendToHandleAsync(bobHandle, "hello");

        proxy.TargetPort = UnusedPort();

        using (var signIn = await app.CreateClient().PostRawAsync("/api/dev/sign-in", """{"handle": "carol_outage"}"""))
        {
            await signIn.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        }

        // Bob's token has not been looked up yet: resolving it needs PostgreSQL.
        using (var groups = await bob.Client.GetAsync("/api/message_groups", Token))
        {
            await groups.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        }

        // Alice's user is cached: her reads need only DynamoDB.
        (await alice.Client.GetJsonAsync("/api/message_groups")).GetArrayLength().ShouldBe(1);

        proxy.TargetPort = postgresPort;

        (await bob.Client.GetJsonAsync("/api/message_groups")).GetArrayLength().ShouldBe(1);
        using var carol = await app.SignInAsync("carol_outage");
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
