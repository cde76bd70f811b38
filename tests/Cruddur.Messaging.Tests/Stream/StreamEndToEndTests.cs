using System.Diagnostics;
using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cruddur.Messaging.Tests.Stream;

/// <summary>Patterns C, D and B through the core's public API, with pattern E run by the local processor in a host.</summary>
public sealed class StreamEndToEndTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_post_to_a_group_reaches_both_participants_conversation_lists()
    {
        var tableName = await services.CreateTableAsync(Token);
        var connectionString = await services.CreateDatabaseAsync(Token);
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            await UserSchema.CreateIfMissingAsync(dataSource, Token);
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = services.DynamoDbServiceUrl.ToString(),
            [CruddurSettings.PostgresConnectionString] = connectionString,
            [$"{MessagingOptions.SectionName}:TableName"] = tableName,
        });
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.Services.AddCruddurDataSources(builder.Configuration).AddCruddurMessaging().AddLocalStreamProcessor();
        using var host = builder.Build();
        await host.StartAsync(Token);
        var messaging = host.Services.GetRequiredService<DirectMessages>();
        var users = new UserStore(host.Services.GetRequiredService<NpgsqlDataSource>());
        var andrew = (await users.CreateIfAbsentAsync("andrew", "Andrew Brown", "andrew@example.com", null, Token)).Summary;
        var bayko = (await users.CreateIfAbsentAsync("bayko", "Bayko", "bayko@example.com", null, Token)).Summary;

        var first = await messaging.PostToHandleAsync(andrew, "bayko", "first, through pattern D", Token);
        var reply = await messaging.PostToGroupAsync(bayko, first.Value!.MessageGroupUuid, "a reply, through pattern C", Token);
        reply.Succeeded.ShouldBeTrue();

        foreach (var (me, other) in new[] { (andrew, bayko), (bayko, andrew) })
        {
            var group = await EventuallyAsync(messaging, me, reply.Value!.CreatedAt);
            group.Uuid.ShouldBe(reply.Value.MessageGroupUuid);
            group.LastMessage.ShouldBe("a reply, through pattern C");
            group.Other.Uuid.ShouldBe(other.Uuid);
        }

        await host.StopAsync(Token);
    }

    /// <summary>Polls pattern B until my one conversation shows the message at <paramref name="at"/>, within a deadline.</summary>
    private static async Task<MessageGroup> EventuallyAsync(DirectMessages messaging, UserSummary me, DateTimeOffset at)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var groups = (await messaging.ListMessageGroupsAsync(me, new PageRequest(), Token)).Value!.Items;
            if (groups is [var group] && group.LastMessageAt == at)
            {
                return group;
            }

            if (stopwatch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"{me.Handle}'s conversations did not show the message of {at:O}: {string.Join(", ", groups)}");
            }

            await Task.Delay(10, Token);
        }
    }
}
