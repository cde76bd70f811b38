using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Cruddur.Bench.Load;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Time;

namespace Cruddur.Bench.StreamLag;

/// <summary>
/// Pattern E's lag as a user sees it: from a message's <c>created_at</c> (the app's clock, the same machine's) to
/// the first poll that finds each participant's newest group row of the group at or past that time, which is what
/// B shows (it skips the older row of a move in progress). Also when the move settled: the older rows deleted too.
/// Samples a few of the load's own posts (at most <see cref="MaxInFlight"/> at once, one per <see cref="SampleEvery"/>)
/// and polls the GSI, which holds the group's rows, with the raw client: every 5 ms at first, then every twentieth
/// of the time waited so far (at most 50 ms), so the resolution stays about 5% while a long lag costs few polls.
/// </summary>
internal sealed class StreamLagProbe(RawDynamoDb raw, string tableName)
{
    public const int MaxInFlight = 12;
    public static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(40);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);

    private readonly ConcurrentBag<double> lagsMs = [];
    private readonly ConcurrentBag<double> settledMs = [];
    private readonly ConcurrentBag<Task> probes = [];
    private long lastSampleTicks;
    private int inFlight;
    private int timedOut;
    private int polls;

    /// <summary>True when the next answered post should be offered (cheap check on the load's path).</summary>
    public bool WantsSample =>
        Volatile.Read(ref inFlight) < MaxInFlight && Stopwatch.GetElapsedTime(Volatile.Read(ref lastSampleTicks)) >= SampleEvery;

    /// <summary>Takes a created message (the app's JSON answer) as a sample, unless enough are in flight.</summary>
    public void Offer(byte[] createdMessageJson, CancellationToken cancellationToken)
    {
        if (!TryRead(createdMessageJson, out var group, out var createdAt) || Interlocked.Increment(ref inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref inFlight);
            return;
        }

        Volatile.Write(ref lastSampleTicks, Stopwatch.GetTimestamp());
        probes.Add(Task.Run(
            async () =>
            {
                try
                {
                    var lag = await WaitUntilRowsReachAsync(group, createdAt, cancellationToken);
                    if (lag is var (visible, settled))
                    {
                        lagsMs.Add(visible.TotalMilliseconds);
                        settledMs.Add(settled.TotalMilliseconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref timedOut);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            },
            cancellationToken));
    }

    /// <summary>Waits for the probes in flight and summarises.</summary>
    public async Task<StreamLagResult> CompleteAsync()
    {
        try
        {
            await Task.WhenAll(probes);
        }
        catch (OperationCanceledException)
        {
            // Cancelled runs report what they have.
        }

        var sorted = lagsMs.Order().ToArray();
        return new StreamLagResult(sorted.Length, timedOut, Percentile(sorted, 0.5), Percentile(sorted, 0.99), sorted.Length == 0 ? double.NaN : sorted[^1], Percentile([.. settledMs.Order()], 0.99), polls);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>
    /// Polls until every group row of <paramref name="group"/> is at or past <paramref name="createdAt"/>: the lags
    /// from <paramref name="createdAt"/> until each participant's newest row was (visible) and until no older row was
    /// left (settled), or null after <see cref="GiveUpAfter"/>.
    /// </summary>
    public async Task<(TimeSpan Visible, TimeSpan Settled)?> WaitUntilRowsReachAsync(Guid group, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var giveUp = Stopwatch.StartNew();
        TimeSpan? visible = null;
        while (giveUp.Elapsed < GiveUpAfter)
        {
            Interlocked.Increment(ref polls);
            var reached = await RowsReachedAsync(group, createdAt, cancellationToken);
            if (reached != Reached.No)
            {
                visible ??= DateTimeOffset.UtcNow - createdAt;
            }

            if (reached == Reached.Settled)
            {
                return (visible!.Value, DateTimeOffset.UtcNow - createdAt);
            }

            var wait = Math.Clamp(giveUp.Elapsed.TotalMilliseconds / 20, 5, 50);
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
        }

        return null;
    }

    /// <summary>How far a group's rows are: no; each participant's newest row at or past the time (what B shows); and no older row left either.</summary>
    private async Task<Reached> RowsReachedAsync(Guid group, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var body = RawDynamoDb.QueryBody(tableName, MessageTableKeys.GroupIndexName, MessageTableKeys.MessageGroupUuid, group.ToString("D"), 5);
        using var answer = await raw.SendForJsonAsync(RawDynamoDb.Query, body, cancellationToken);
        var rows = answer.RootElement.GetProperty("Items").EnumerateArray()
            .Select(item => (Owner: item.GetProperty(MessageTableKeys.Pk).GetProperty("S").GetString(), Reached: RowAt(item) >= createdAt))
            .ToList();
        var owners = rows.GroupBy(row => row.Owner).ToList();
        if (owners.Count < 2 || !owners.All(owner => owner.Any(row => row.Reached)))
        {
            return Reached.No;
        }

        return rows.All(row => row.Reached) ? Reached.Settled : Reached.Visible;
    }

    private static DateTimeOffset RowAt(JsonElement item) =>
        item.TryGetProperty(MessageTableKeys.Sk, out var sk) && MessageTimestamp.TryParse(sk.GetProperty("S").GetString(), out var rowAt) ? rowAt : DateTimeOffset.MinValue;

    /// <summary>
    /// After a load phase: polls the groups (one Query each per round) until every given message is reflected in both
    /// group rows; how long that took and how many were still not reflected at <paramref name="limit"/>.
    /// </summary>
    public async Task<(TimeSpan Elapsed, int NotReached)> DrainAsync(IEnumerable<(Guid Group, DateTimeOffset CreatedAt)> messages, TimeSpan limit, CancellationToken cancellationToken)
    {
        var pending = messages.ToList();
        var stopwatch = Stopwatch.StartNew();
        while (pending.Count > 0 && stopwatch.Elapsed < limit)
        {
            var reached = new List<(Guid, DateTimeOffset)>();
            foreach (var message in pending)
            {
                if (await RowsReachedAsync(message.Group, message.CreatedAt, cancellationToken) == Reached.Settled)
                {
                    reached.Add(message);
                }
            }

            pending.RemoveAll(reached.Contains);
            if (pending.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }

        return (stopwatch.Elapsed, pending.Count);
    }

    private enum Reached
    {
        No,
        Visible,
        Settled,
    }

    /// <summary>The group and creation time of a created message as the app answers it.</summary>
    public static bool TryRead(byte[] createdMessageJson, out Guid group, out DateTimeOffset createdAt)
    {
        group = default;
        createdAt = default;
        try
        {
            using var document = JsonDocument.Parse(createdMessageJson);
            var root = document.RootElement;
            return root.TryGetProperty("message_group_uuid", out var groupValue) && groupValue.TryGetGuid(out group)
                && root.TryGetProperty("created_at", out var createdValue) && MessageTimestamp.TryParse(createdValue.GetString(), out createdAt);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>Stream lag samples (ms, until visible in B): how many, how many gave up, p50, p99, max, p99 until settled, and the polls it took.</summary>
internal sealed record StreamLagResult(int Samples, int TimedOut, double P50Ms, double P99Ms, double MaxMs, double SettledP99Ms, int Polls);
