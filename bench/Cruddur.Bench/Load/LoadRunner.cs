using System.Diagnostics;

namespace Cruddur.Bench.Load;

/// <summary>One request of a load phase, sent by a given simulated user; returns null on success or what went wrong.</summary>
internal delegate Task<string?> LoadRequest(int user, CancellationToken cancellationToken);

/// <summary>
/// A closed loop: each simulated user sends its next request when the previous one is answered. Requests that
/// complete during the warm-up are dropped; the measured window is fixed in time and the loop is bounded in count.
/// </summary>
internal static class LoadRunner
{
    private const int MaxRequestsPerUser = 5_000_000;

    public static async Task<LoadResult> RunAsync(int users, TimeSpan warmup, TimeSpan duration, LoadRequest request, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Worker[users];
        for (var i = 0; i < users; i++)
        {
            workers[i] = new Worker(i, (int)Math.Min(1 << 20, duration.TotalSeconds * 20_000 / users + 16));
        }

        await Task.WhenAll(workers.Select(worker => Task.Run(() => worker.RunAsync(request, measureFrom, measureTo, cancellationToken), cancellationToken)));
        cancellationToken.ThrowIfCancellationRequested();

        var latencies = workers.SelectMany(worker => worker.Latencies).ToArray();
        Array.Sort(latencies);
        var errors = workers.Sum(worker => worker.Errors);
        var firstErrors = workers.SelectMany(worker => worker.FirstErrors).Distinct(StringComparer.Ordinal).Take(3).ToArray();
        return LoadResult.From(users, latencies, errors, duration, firstErrors);
    }

    private sealed class Worker(int index, int capacity)
    {
        public List<long> Latencies { get; } = new(capacity);

        public int Errors { get; private set; }

        public List<string> FirstErrors { get; } = [];

        public async Task RunAsync(LoadRequest request, long measureFrom, long measureTo, CancellationToken cancellationToken)
        {
            for (var sent = 0; sent < MaxRequestsPerUser && !cancellationToken.IsCancellationRequested; sent++)
            {
                var begin = Stopwatch.GetTimestamp();
                if (begin >= measureTo)
                {
                    return;
                }

                string? error;
                try
                {
                    error = await request(index, cancellationToken);
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException or InvalidOperationException or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    error = exception.GetType().Name + ": " + exception.Message;
                }

                var end = Stopwatch.GetTimestamp();
                if (end < measureFrom || end > measureTo)
                {
                    continue;
                }

                if (error is null)
                {
                    Latencies.Add(end - begin);
                }
                else
                {
                    Errors++;
                    if (FirstErrors.Count < 3)
                    {
                        FirstErrors.Add(error);
                    }
                }
            }
        }
    }
}

/// <summary>What one load phase measured. Latencies in milliseconds.</summary>
internal sealed record LoadResult(
    int Users,
    long Requests,
    long Errors,
    double Seconds,
    double RequestsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    IReadOnlyList<string> FirstErrors)
{
    public static LoadResult From(int users, long[] sortedTicks, long errors, TimeSpan duration, IReadOnlyList<string> firstErrors)
    {
        double Percentile(double p) => sortedTicks.Length == 0
            ? double.NaN
            : TicksToMs(sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(p * sortedTicks.Length) - 1)]);
        return new LoadResult(
            users,
            sortedTicks.Length,
            errors,
            duration.TotalSeconds,
            sortedTicks.Length / duration.TotalSeconds,
            Percentile(0.50),
            Percentile(0.95),
            Percentile(0.99),
            sortedTicks.Length == 0 ? double.NaN : TicksToMs(sortedTicks[^1]),
            firstErrors);
    }

    public static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
