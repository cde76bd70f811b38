using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Cruddur.Bench.Load;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Time;

namespace Cruddur.Bench.StreamLag;

/// <summary>
/// Pattern E's lag as a user sees it: from a message's <c>created_at</c> (the app's clock, the same machine's) to
/// the first poll that finds both participants' group rows at or past that time. Samples a few of the load's own
/// posts (at most <see cref="MaxInFlight"/> at once, one per <see cref="SampleEvery"/>) and polls the GSI, which
/// holds exactly the two group rows of a group, with the raw client: every 5 ms at first, then every twentieth of
/// the time waited so far (at most 50 ms), so the resolution stays about 5% while a long lag costs few polls.
/// </summary>
internal sealed class StreamLagProbe(RawDynamoDb raw, string tableName)
{
    public const int MaxInFlight = 12;
    public static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(40);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);

    private readonly ConcurrentBag<double> lagsMs = [];
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
                    if (lag is { } value)
                    {
                        lagsMs.Add(value.TotalMilliseconds);
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
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new StreamLagResult(sorted.Length, timedOut, Percentile(0.5), Percentile(0.99), sorted.Length == 0 ? double.NaN : sorted[^1], polls);
    }

    /// <summary>
    /// Polls until both group rows of <paramref name="group"/> are at or past <paramref name="createdAt"/>; the lag from
    /// <paramref name="createdAt"/>, or null after <see cref="GiveUpAfter"/>.
    /// </summary>
    public async Task<TimeSpan?> WaitUntilRowsReachAsync(Guid group, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var giveUp = Stopwatch.StartNew();
        while (giveUp.Elapsed < GiveUpAfter)
        {
            Interlocked.Increment(ref polls);
            if (await BothRowsReachedAsync(group, createdAt, cancellationToken))
            {
                return DateTimeOffset.UtcNow - createdAt;
            }

            var wait = Math.Clamp(giveUp.Elapsed.TotalMilliseconds / 20, 5, 50);
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
        }

        return null;
    }

    private async Task<bool> BothRowsReachedAsync(Guid group, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var body = RawDynamoDb.QueryBody(tableName, MessageTableKeys.GroupIndexName, MessageTableKeys.MessageGroupUuid, group.ToString("D"), 5);
        using var answer = await raw.SendForJsonAsync(RawDynamoDb.Query, body, cancellationToken);
        var items = answer.RootElement.GetProperty("Items");
        return items.GetArrayLength() >= 2 && items.EnumerateArray().All(item =>
            item.TryGetProperty(MessageTableKeys.Sk, out var sk)
            && MessageTimestamp.TryParse(sk.GetProperty("S").GetString(), out var rowAt)
            && rowAt >= createdAt);
    }

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
                if (await BothRowsReachedAsync(message.Group, message.CreatedAt, cancellationToken))
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

/// <summary>Stream lag samples (ms): how many, how many gave up, p50, p99, max, and the polls it took.</summary>
internal sealed record StreamLagResult(int Samples, int TimedOut, double P50Ms, double P99Ms, double MaxMs, int Polls);
