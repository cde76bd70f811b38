using Cruddur.Bench.Seeding;
using Cruddur.Messaging;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Bench.Capacity;

/// <summary>
/// Consumed capacity per pattern, read from the core's own <see cref="ConsumedCapacityRecorder"/>: each pattern runs
/// in-process through the core (the same code the app runs) against the benchmark's table and data.
/// A "cold" call is the first of a fresh container (membership not yet cached), "warm" the average of the next ones.
/// </summary>
internal static class CapacityProbe
{
    private const int WarmCalls = 10;

    public static async Task<IReadOnlyList<CapacityRow>> RunAsync(IConfiguration configuration, BenchData data, CancellationToken cancellationToken)
    {
        var me = data.LoadUsers[0].Summary;
        var group = data.ReadGroups[0].Uuid;
        var rows = new List<CapacityRow>();

        await using (var first = Build(configuration))
        {
            var (messaging, recorder) = Resolve(first);
            rows.AddRange(await MeasureAsync(recorder, "A", "cold", 1, () => messaging.ListMessagesAsync(me, group, new PageRequest(), cancellationToken)));
            rows.AddRange(await MeasureAsync(recorder, "A", "warm", WarmCalls, () => messaging.ListMessagesAsync(me, group, new PageRequest(), cancellationToken)));
            rows.AddRange(await MeasureAsync(recorder, "B", "warm", WarmCalls, () => messaging.ListMessageGroupsAsync(me, new PageRequest(), cancellationToken)));
            rows.AddRange(await MeasureAsync(recorder, "C", "warm", WarmCalls, () => messaging.PostToGroupAsync(me, group, "capacity probe", cancellationToken)));
        }

        await using (var second = Build(configuration))
        {
            var (messaging, recorder) = Resolve(second);
            rows.AddRange(await MeasureAsync(recorder, "C", "cold", 1, () => messaging.PostToGroupAsync(me, group, "capacity probe", cancellationToken)));
            var existing = data.DirectHandles[0];
            rows.AddRange(await MeasureAsync(recorder, "D", "existing pair", WarmCalls, () => messaging.PostToHandleAsync(me, existing, "capacity probe", cancellationToken)));
            rows.AddRange(await MeasureAsync(recorder, "D", "new conversation", 1, () => messaging.PostToHandleAsync(me, data.ScalingPeer.Handle, "capacity probe", cancellationToken)));
        }

        return rows;
    }

    /// <summary>
    /// Pattern E through the core's <see cref="MessageStreamHandler"/>, on a table no stream processor watches: a new
    /// conversation and a post are written through the core, then the post's stream record (as Lambda would deliver it)
    /// is handled once (the rows move) and again (a replay, which must change nothing).
    /// </summary>
    public static async Task<IReadOnlyList<CapacityRow>> RunStreamAsync(IConfiguration configuration, BenchData data, CancellationToken cancellationToken)
    {
        await using var provider = Build(configuration);
        var (messaging, recorder) = Resolve(provider);
        var handler = provider.GetRequiredService<MessageStreamHandler>();
        var me = data.LoadUsers[0].Summary;
        var first = await messaging.PostToHandleAsync(me, data.LoadUsers[1].Handle, "capacity probe: first", cancellationToken);
        var post = first.Value is { } created
            ? await messaging.PostToGroupAsync(me, created.MessageGroupUuid, "capacity probe: second", cancellationToken)
            : throw new InvalidOperationException($"Pattern D was refused: {first.Error}");
        var message = post.Value ?? throw new InvalidOperationException($"Pattern C was refused: {post.Error}");
        var record = NewMessageRecord(message);

        var rows = new List<CapacityRow>();
        foreach (var variant in new[] { "new message (rows move)", "replay (unchanged)" })
        {
            recorder.Reset();
            var response = await handler.HandleAsync([record], cancellationToken);
            if (response.BatchItemFailures.Count > 0)
            {
                throw new InvalidOperationException("Pattern E reported the record as failed.");
            }

            rows.AddRange(Rows(recorder, "E", variant, 1));
        }

        return rows;
    }

    private static StreamRecord NewMessageRecord(Message message)
    {
        var item = MessageItems.Message(message);
        var keys = item.Where(attribute => attribute.Key is MessageTableKeys.Pk or MessageTableKeys.Sk).ToDictionary();
        return new StreamRecord(
            Guid.NewGuid().ToString("N"),
            "INSERT",
            new StreamRecordData(StreamAttributeValue.FromItem(keys), StreamAttributeValue.FromItem(item), null, "000000000000000000001"));
    }

    private static ServiceProvider Build(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddCruddurDataSources(configuration);
        services.AddCruddurMessaging();
        services.AddMessageStreamHandler();
        return services.BuildServiceProvider();
    }

    private static (DirectMessages Messaging, ConsumedCapacityRecorder Recorder) Resolve(ServiceProvider provider) =>
        (provider.GetRequiredService<DirectMessages>(), provider.GetRequiredService<ConsumedCapacityRecorder>());

    /// <summary>Runs a pattern <paramref name="calls"/> times and returns the capacity per call, one row per core operation and target.</summary>
    private static async Task<IEnumerable<CapacityRow>> MeasureAsync<T>(ConsumedCapacityRecorder recorder, string pattern, string variant, int calls, Func<Task<Outcome<T>>> call)
    {
        recorder.Reset();
        for (var i = 0; i < calls; i++)
        {
            var outcome = await call();
            if (!outcome.Succeeded)
            {
                throw new InvalidOperationException($"Pattern {pattern} ({variant}) was refused: {outcome.Error}");
            }
        }

        return Rows(recorder, pattern, variant, calls);
    }

    /// <summary>The recorder's totals divided by <paramref name="calls"/>: capacity per pattern call, per operation and target.</summary>
    public static IEnumerable<CapacityRow> Rows(ConsumedCapacityRecorder recorder, string pattern, string variant, int calls)
    {
        var totals = recorder.Totals;
        var operations = recorder.Calls.Keys.Concat(totals.Keys.Select(key => key.Operation)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var operation in operations)
        {
            double Units(string? target, string kind) =>
                totals.Where(entry => entry.Key.Operation == operation && entry.Key.Kind == kind
                        && (target is null || (target == "table" ? entry.Key.Target == "table" : entry.Key.Target != "table")))
                    .Sum(entry => entry.Value) / calls;
            yield return new CapacityRow(
                pattern,
                variant,
                operation,
                recorder.Calls.TryGetValue(operation, out var count) ? (double)count / calls : 0,
                Units("table", "read"),
                Units("table", "write"),
                Units("gsi", "read"),
                Units("gsi", "write"),
                Units("table", "units"),
                Units("gsi", "units"));
        }
    }
}

/// <summary>Capacity units per pattern call, for one core operation (e.g. <c>A.query</c>): table and GSI, read and write.</summary>
/// <remarks>
/// DynamoDB Local reports a call's total without the read/write split; the core files it as read or write when the
/// caller says which, otherwise as unsplit units (kept apart here, never guessed).
/// </remarks>
internal sealed record CapacityRow(string Pattern, string Variant, string Operation, double CallsPerPattern, double TableRcu, double TableWcu, double GsiRcu, double GsiWcu, double TableUnits, double GsiUnits);
