using System.Text.Json;
using Cruddur.Local.DemoData;
using Cruddur.Testing;

namespace Cruddur.Cli.Tests;

/// <summary>These go through the core's DirectMessages API (patterns A and B), so they pass once the core implements it.</summary>
public sealed class PatternTests(LocalServicesFixture services)
{
    [Fact]
    public async Task List_conversations_shows_the_seeded_conversation_with_its_last_message()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        await cli.SeedAllAsync();

        var result = await cli.RunAsync("ddb", "patterns", "list-conversations", DemoSeeder.Users[0].Handle, "--json", "--page-size", "1");

        result.ExitCode.ShouldBe(0, result.Output);
        var conversation = JsonDocument.Parse(result.Output).RootElement.EnumerateArray().ShouldHaveSingleItem();
        conversation.GetProperty("handle").GetString().ShouldBe(DemoSeeder.Users[1].Handle);
        conversation.GetProperty("message").GetString().ShouldBe(await LastSeededMessageAsync(cli));
    }

    [Fact]
    public async Task Get_conversation_prints_every_message_oldest_first_including_last_years()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        await cli.SeedAllAsync();
        var groupUuid = await SeededGroupUuidAsync(cli);

        // Pages of 7: pattern A gives the newest page first; the command must put them back in order.
        var json = await cli.RunAsync("ddb", "patterns", "get-conversation", groupUuid, "--json", "--page-size", "7");
        var text = await cli.RunAsync("ddb", "patterns", "get-conversation", groupUuid, "--as", DemoSeeder.Users[1].Handle);

        json.ExitCode.ShouldBe(0, json.Output);
        var messages = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        var expected = await SeededMessagesAsync(cli);
        messages.Select(message => message.GetProperty("message").GetString()).ShouldBe(expected);
        messages.Count(message => message.GetProperty("created_at").GetDateTimeOffset().Year == DateTimeOffset.UtcNow.Year - 1)
            .ShouldBe(DemoSeeder.LastYearMessageCount);
        text.ExitCode.ShouldBe(0, text.Output);
        var lines = text.Lines.Where(line => line.StartsWith(DemoSeeder.Users[0].Handle, StringComparison.Ordinal) || line.StartsWith(DemoSeeder.Users[1].Handle, StringComparison.Ordinal)).ToList();
        lines.Count.ShouldBe(expected.Count);
        lines[0].ShouldEndWith(expected[0]!);
        lines[0].ShouldStartWith(DemoSeeder.Users[0].Handle);
        lines[^1].ShouldEndWith(expected[^1]!);
    }

    [Fact]
    public async Task Get_conversation_as_a_non_member_is_not_found()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        await cli.SeedAllAsync();

        var result = await cli.RunAsync("ddb", "patterns", "get-conversation", await SeededGroupUuidAsync(cli), "--as", DemoSeeder.Users[2].Handle);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("not found");
    }

    /// <summary>Seeded message texts in time order, read with the scan command (not through the API under test).</summary>
    private static async Task<List<string?>> SeededMessagesAsync(CliRun cli) =>
        [.. (await ScanAsync(cli))
            .Where(item => item.GetProperty("pk").GetString()!.StartsWith("MSG#", StringComparison.Ordinal))
            .OrderBy(item => item.GetProperty("sk").GetString(), StringComparer.Ordinal)
            .Select(item => item.GetProperty("message").GetString())];

    private static async Task<string?> LastSeededMessageAsync(CliRun cli) => (await SeededMessagesAsync(cli))[^1];

    private static async Task<string> SeededGroupUuidAsync(CliRun cli) =>
        (await ScanAsync(cli)).First(item => item.GetProperty("pk").GetString()!.StartsWith("GRP#", StringComparison.Ordinal))
            .GetProperty("message_group_uuid").GetString()!;

    private static async Task<List<JsonElement>> ScanAsync(CliRun cli)
    {
        var scan = await cli.RunAsync("ddb", "scan", "--json");
        scan.ExitCode.ShouldBe(0, scan.Output);
        return [.. JsonDocument.Parse(scan.Output).RootElement.EnumerateArray()];
    }
}
