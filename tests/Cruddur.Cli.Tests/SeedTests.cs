using System.Text.Json;
using Cruddur.Local.DemoData;
using Cruddur.Testing;

namespace Cruddur.Cli.Tests;

public sealed class SeedTests(LocalServicesFixture services)
{
    [Fact]
    public async Task Seed_then_scan_prints_every_item_the_seeder_wrote()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        (await cli.RunAsync("db", "schema-load")).ExitCode.ShouldBe(0);
        (await cli.RunAsync("db", "seed")).Output.ShouldContain($"Inserted {DemoSeeder.Users.Count} of {DemoSeeder.Users.Count} demo users");
        (await cli.RunAsync("ddb", "schema-load")).ExitCode.ShouldBe(0);

        var seed = await cli.RunAsync("ddb", "seed");
        // Small pages: the command must follow LastEvaluatedKey through all of them.
        var json = await cli.RunAsync("ddb", "scan", "--json", "--page-size", "10");
        var table = await cli.RunAsync("ddb", "scan");

        seed.ExitCode.ShouldBe(0, seed.Output);
        seed.Output.ShouldContain($"Wrote {DemoSeeder.ConversationItemCount} items");
        json.ExitCode.ShouldBe(0, json.Output);
        var items = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        items.Count.ShouldBe(DemoSeeder.ConversationItemCount);
        items.Count(item => item.GetProperty("pk").GetString()!.StartsWith("MSG#", StringComparison.Ordinal)).ShouldBe(DemoSeeder.ConversationItemCount - 4);
        table.ExitCode.ShouldBe(0);
        table.Output.ShouldContain($"{DemoSeeder.ConversationItemCount} item(s) in {cli.TableName}.");
    }

    [Fact]
    public async Task Seeding_again_writes_nothing_and_the_users_stay_as_they_were()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        await cli.SeedAllAsync();

        var users = await cli.RunAsync("db", "seed");
        var conversation = await cli.RunAsync("ddb", "seed");
        var scan = await cli.RunAsync("ddb", "scan", "--json");

        users.Output.ShouldContain($"Inserted 0 of {DemoSeeder.Users.Count}");
        conversation.ExitCode.ShouldBe(0);
        conversation.Output.ShouldContain("already in");
        JsonDocument.Parse(scan.Output).RootElement.GetArrayLength().ShouldBe(DemoSeeder.ConversationItemCount);
    }

    [Fact]
    public async Task Ddb_seed_without_the_demo_users_fails_with_what_to_run()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        (await cli.RunAsync("db", "schema-load")).ExitCode.ShouldBe(0);
        (await cli.RunAsync("ddb", "schema-load")).ExitCode.ShouldBe(0);

        var result = await cli.RunAsync("ddb", "seed");

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("cruddur db seed");
    }

    [Fact]
    public async Task Group_rows_show_the_last_message_and_the_conversation_starts_last_year()
    {
        var cli = await CliRun.CreateAsync(services, TestContext.Current.CancellationToken);
        await cli.SeedAllAsync();

        var items = JsonDocument.Parse((await cli.RunAsync("ddb", "scan", "--json")).Output).RootElement.EnumerateArray().ToList();

        var messages = items.Where(item => item.GetProperty("pk").GetString()!.StartsWith("MSG#", StringComparison.Ordinal))
            .OrderBy(item => item.GetProperty("sk").GetString(), StringComparer.Ordinal)
            .ToList();
        var rows = items.Where(item => item.GetProperty("pk").GetString()!.StartsWith("GRP#", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(2);
        var lastSk = messages[^1].GetProperty("sk").GetString();
        var lastText = messages[^1].GetProperty("message").GetString();
        rows.Select(row => row.GetProperty("sk").GetString()).ShouldAllBe(sk => sk == lastSk);
        rows.Select(row => row.GetProperty("message").GetString()).ShouldAllBe(text => text == lastText);
        rows.Select(row => row.GetProperty("user_handle").GetString()).Order().ShouldBe([DemoSeeder.Users[0].Handle, DemoSeeder.Users[1].Handle]);
        var thisYear = DateTimeOffset.UtcNow.Year;
        messages.Count(message => message.GetProperty("sk").GetString()!.StartsWith($"{thisYear - 1}-", StringComparison.Ordinal))
            .ShouldBe(DemoSeeder.LastYearMessageCount);
        messages.ShouldAllBe(message => message.GetProperty("sk").GetString()!.EndsWith("+00:00", StringComparison.Ordinal));
        DateTimeOffset.Parse(messages[^1].GetProperty("sk").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeLessThan(DateTimeOffset.UtcNow);
    }
}
