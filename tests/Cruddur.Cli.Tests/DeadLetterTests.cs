using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Table;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cruddur.Cli.Tests;

/// <summary>
/// <c>cruddur stream dead-letters</c> on a record the real local processor passed over: a message written straight
/// into a group that has no group rows, which pattern E fails on every attempt.
/// </summary>
public sealed class DeadLetterTests(LocalServicesFixture services)
{
    private const string Time = "2026-01-02T03:04:05.000000+00:00";
    private const string MessageTime = "2026-01-02T03:05:05.000000+00:00";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dead_letters_lists_a_passed_over_record_with_its_message_and_error()
    {
        var (cli, broken) = await PassedOverMessageAsync();

        var json = await cli.RunAsync("stream", "dead-letters", "--json");
        var table = await cli.RunAsync("stream", "dead-letters");

        json.ExitCode.ShouldBe(0, json.Output);
        var letter = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ShouldHaveSingleItem();
        letter.GetProperty("message_group_uuid").GetGuid().ShouldBe(broken.Group);
        letter.GetProperty("message_uuid").GetGuid().ShouldBe(broken.Message);
        letter.GetProperty("error").GetString().ShouldNotBeNull().ShouldContain("No group rows found");
        letter.GetProperty("sequence_number").GetString().ShouldNotBeNullOrEmpty();
        letter.GetProperty("shard_id").GetString().ShouldNotBeNullOrEmpty();
        table.ExitCode.ShouldBe(0, table.Output);
        table.Output.ShouldContain(broken.Message.ToString("D"));
        table.Output.ShouldContain("1 dead letter(s)");
    }

    [Fact]
    public async Task Replay_keeps_a_record_that_still_fails_and_exits_1_then_handles_it_once_the_rows_exist()
    {
        var (cli, broken) = await PassedOverMessageAsync();

        var stillFailing = await cli.RunAsync("stream", "dead-letters", "--replay", "--json");
        var keptAfterFailure = await ListAsync(cli);
        await WriteGroupRowsAsync(cli, broken);
        var replayed = await cli.RunAsync("stream", "dead-letters", "--replay");
        var keptAfterReplay = await ListAsync(cli);
        var again = await cli.RunAsync("stream", "dead-letters", "--replay");

        stillFailing.ExitCode.ShouldBe(1, stillFailing.Output);
        var failed = JsonDocument.Parse(stillFailing.Output).RootElement.EnumerateArray().ShouldHaveSingleItem();
        failed.GetProperty("replayed").GetBoolean().ShouldBeFalse();
        failed.GetProperty("error").GetString().ShouldNotBeNull().ShouldContain("No group rows found");
        keptAfterFailure.ShouldHaveSingleItem();
        replayed.ExitCode.ShouldBe(0, replayed.Output);
        replayed.Output.ShouldContain("1 replayed and deleted, 0 still failing");
        keptAfterReplay.ShouldBeEmpty();
        again.ExitCode.ShouldBe(0, again.Output);
        again.Output.ShouldContain("0 replayed and deleted, 0 still failing");
        var rows = (await ScanAsync(cli)).Where(item => item.GetProperty("pk").GetString()!.StartsWith("GRP#", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(2);
        rows.ShouldAllBe(row => row.GetProperty("message").GetString() == "into a group without rows" && row.GetProperty("sk").GetString() == MessageTime);
    }

    /// <summary>A table with one message whose group has no rows, run through the real local processor until it is passed over.</summary>
    private async Task<(CliRun Cli, BrokenGroup Broken)> PassedOverMessageAsync()
    {
        var cli = await CliRun.CreateAsync(services, Token);
        (await cli.RunAsync("ddb", "schema-load")).ExitCode.ShouldBe(0);
        var broken = new BrokenGroup(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        using (var dynamoDb = services.CreateDynamoDbClient())
        {
            await dynamoDb.PutItemAsync(
                new PutItemRequest
                {
                    TableName = cli.TableName,
                    Item = new()
                    {
                        ["pk"] = new() { S = $"MSG#{broken.Group:D}" },
                        ["sk"] = new() { S = MessageTime },
                        ["message_uuid"] = new() { S = broken.Message.ToString("D") },
                        ["message"] = new() { S = "into a group without rows" },
                        ["user_uuid"] = new() { S = broken.Sender.ToString("D") },
                        ["user_display_name"] = new() { S = "Sender" },
                        ["user_handle"] = new() { S = "sender" },
                    },
                },
                Token);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = services.DynamoDbServiceUrl.ToString(),
            [CruddurSettings.PostgresConnectionString] = cli.PostgresConnectionString,
            [$"{MessagingOptions.SectionName}:TableName"] = cli.TableName,
            [$"{LocalStreamProcessorOptions.SectionName}:MaxAttempts"] = "1",
        }).Build();
        await using var processorServices = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddCruddurDataSources(configuration)
            .AddCruddurMessaging()
            .AddLocalStreamProcessor()
            .BuildServiceProvider();
        await processorServices.GetRequiredService<LocalStreamProcessor>().CatchUpAsync(Token);
        return (cli, broken);
    }

    /// <summary>What pattern D would have written with the first message: both participants' group rows.</summary>
    private async Task WriteGroupRowsAsync(CliRun cli, BrokenGroup broken)
    {
        using var dynamoDb = services.CreateDynamoDbClient();
        foreach (var (owner, other) in new[] { (broken.Sender, broken.Recipient), (broken.Recipient, broken.Sender) })
        {
            await dynamoDb.PutItemAsync(
                new PutItemRequest
                {
                    TableName = cli.TableName,
                    Item = new()
                    {
                        ["pk"] = new() { S = $"GRP#{owner:D}" },
                        ["sk"] = new() { S = Time },
                        ["message_group_uuid"] = new() { S = broken.Group.ToString("D") },
                        ["message"] = new() { S = "first" },
                        ["user_uuid"] = new() { S = other.ToString("D") },
                        ["user_display_name"] = new() { S = "Other" },
                        ["user_handle"] = new() { S = "other" },
                    },
                },
                Token);
        }
    }

    private static async Task<List<JsonElement>> ListAsync(CliRun cli)
    {
        var list = await cli.RunAsync("stream", "dead-letters", "--json");
        list.ExitCode.ShouldBe(0, list.Output);
        return [.. JsonDocument.Parse(list.Output).RootElement.EnumerateArray()];
    }

    private static async Task<List<JsonElement>> ScanAsync(CliRun cli)
    {
        var scan = await cli.RunAsync("ddb", "scan", "--json");
        scan.ExitCode.ShouldBe(0, scan.Output);
        return [.. JsonDocument.Parse(scan.Output).RootElement.EnumerateArray()];
    }

    private sealed record BrokenGroup(Guid Group, Guid Message, Guid Sender, Guid Recipient);
}
