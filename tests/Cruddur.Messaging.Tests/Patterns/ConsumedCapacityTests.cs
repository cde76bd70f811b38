using System.Globalization;
using System.Text;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Paging;
using Cruddur.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>
/// The DynamoDB calls and consumed capacity of each pattern, measured on DynamoDB Local and printed to the test output.
/// The call counts are the contract of the hot path: a warm read or post is one call.
/// </summary>
public sealed class ConsumedCapacityTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_pattern_makes_the_expected_calls_and_reports_its_capacity()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew", "Andrew Brown"), await world.UserAsync("bayko", "Andrew Bayko"));
        foreach (var handle in new[] { "c1", "c2", "c3", "c4" })
        {
            await world.UserAsync(handle);
        }

        var report = new StringBuilder("| pattern | calls | table RCU | table WCU | GSI RCU | GSI WCU |\n| --- | --- | --- | --- | --- | --- |\n");
        var measured = new Dictionary<string, IReadOnlyDictionary<string, long>>();
        async Task<T> MeasureAsync<T>(string name, Func<Task<T>> run, ConsumedCapacityRecorder? recorder = null)
        {
            recorder ??= world.Recorder;
            recorder.Reset();
            clock.Advance(TimeSpan.FromSeconds(1));
            var result = await run();
            measured[name] = recorder.Calls.ToDictionary(call => call.Key, call => call.Value);
            double Sum(Func<string, bool> target, string kind) =>
                recorder.Totals.Where(total => target(total.Key.Target) && total.Key.Kind == kind).Sum(total => total.Value);
            static bool Table(string target) => target == "table";
            static bool Index(string target) => target.StartsWith("gsi:", StringComparison.Ordinal);
            report.Append(CultureInfo.InvariantCulture,
                $"| {name} | {string.Join(", ", measured[name].OrderBy(call => call.Key, StringComparer.Ordinal).Select(call => $"{call.Key}×{call.Value}"))} | {Sum(Table, "read")} | {Sum(Table, "write")} | {Sum(Index, "read")} | {Sum(Index, "write")} |\n");
            return result;
        }

        var first = await MeasureAsync("D (new group)", () => world.Messaging.PostToHandleAsync(andrew, "bayko", "Have you watched Babylon 5?", Token));
        var group = first.ShouldSucceed().MessageGroupUuid;
        await MeasureAsync("D (existing group)", () => world.Messaging.PostToHandleAsync(bayko, "andrew", "Sure", Token));
        var cold = world.NewProcessWithRecorder();
        await MeasureAsync("C (cold: membership read)", () => cold.Messaging.PostToGroupAsync(andrew, group, "cold post", Token), cold.Recorder);
        await MeasureAsync("C (warm)", () => world.Messaging.PostToGroupAsync(andrew, group, "warm post", Token));
        for (var i = 0; i < 16; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await world.Messaging.PostToGroupAsync(i % 2 == 0 ? andrew : bayko, group, $"A message of ordinary length, number {i}.", Token);
        }

        var coldReader = world.NewProcessWithRecorder();
        (await MeasureAsync("A (cold: membership read), 20 messages", () => coldReader.Messaging.ListMessagesAsync(bayko, group, new PageRequest(20), Token), coldReader.Recorder))
            .ShouldSucceed().Items.Count.ShouldBe(20);
        (await MeasureAsync("A (warm), 20 messages", () => world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(20), Token)))
            .ShouldSucceed().Items.Count.ShouldBe(20);
        // No pattern E runs here, so Bayko's row (and with it how far he can read) stays at the group's first message.
        (await MeasureAsync("mark read", () => world.Messaging.MarkReadAsync(bayko, group, null, Token))).ShouldSucceed().ShouldBeTrue();
        var newest = (await MeasureAsync("A (warm, the other has read), 10 messages", () => world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(10), Token))).ShouldSucceed();
        newest.Items.ShouldNotContain(message => message.ReadByOther);
        var older = (await MeasureAsync("A (warm, older page)", () => world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(10, newest.NextCursor), Token))).ShouldSucceed();
        older.Items.Where(message => message.ReadByOther).Select(message => message.Text).ShouldBe(["Have you watched Babylon 5?"]);
        foreach (var handle in new[] { "c1", "c2", "c3", "c4" })
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await world.Messaging.PostToHandleAsync(andrew, handle, "hello", Token);
        }

        (await MeasureAsync("B, 5 groups", () => world.Messaging.ListMessageGroupsAsync(andrew, new PageRequest(20), Token)))
            .ShouldSucceed().Items.Count.ShouldBe(5);
        var original = Guid.NewGuid();
        await world.PutRawAsync(Raw.OriginalGroupRow(andrew.Uuid, original, "2023-02-26T12:34:57.000001", bayko, "Sure"));
        await world.PutRawAsync(Raw.OriginalGroupRow(bayko.Uuid, original, "2023-02-26T12:34:57.000001", andrew, "Sure"));
        await world.PutRawAsync(Raw.OriginalMessage(original, "2023-02-26T12:34:57.000001", bayko, "Sure"));
        (await MeasureAsync("A (cold, original-shaped group)", () => world.Messaging.ListMessagesAsync(andrew, original, new PageRequest(20), Token)))
            .ShouldSucceed().Items.Count.ShouldBe(1);

        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        if (Environment.GetEnvironmentVariable("CRUDDUR_CAPACITY_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, report.ToString(), Token);
        }

        measured["D (new group)"].ShouldBe(new Dictionary<string, long> { ["D.get_pair"] = 1, ["D.transact"] = 1 }, ignoreOrder: true);
        measured["D (existing group)"].ShouldBe(new Dictionary<string, long> { ["D.get_pair"] = 1, ["D.put_message"] = 1 }, ignoreOrder: true);
        measured["C (cold: membership read)"].ShouldBe(new Dictionary<string, long> { ["membership.get_group"] = 1, ["C.put_message"] = 1 }, ignoreOrder: true);
        measured["C (warm)"].ShouldBe(new Dictionary<string, long> { ["C.put_message"] = 1 });
        measured["A (cold: membership read), 20 messages"].ShouldBe(new Dictionary<string, long> { ["membership.get_group"] = 1, ["A.query"] = 1 }, ignoreOrder: true);
        measured["A (warm), 20 messages"].ShouldBe(new Dictionary<string, long> { ["A.query"] = 1 });
        measured["mark read"].ShouldBe(new Dictionary<string, long> { ["read.query_rows"] = 1, ["read.update_marker"] = 1, ["read.update_row"] = 1 }, ignoreOrder: true);
        measured["A (warm, the other has read), 10 messages"].ShouldBe(new Dictionary<string, long> { ["A.query"] = 1 });
        measured["A (warm, older page)"].ShouldBe(new Dictionary<string, long> { ["A.query"] = 1, ["A.get_read_marker"] = 1 }, ignoreOrder: true);
        measured["B, 5 groups"].ShouldBe(new Dictionary<string, long> { ["B.query"] = 1 });
        measured["A (cold, original-shaped group)"].ShouldBe(
            new Dictionary<string, long> { ["membership.get_group"] = 1, ["membership.query_rows"] = 1, ["A.query"] = 1 }, ignoreOrder: true);
    }
}
