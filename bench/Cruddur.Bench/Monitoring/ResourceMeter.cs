namespace Cruddur.Bench.Monitoring;

/// <summary>
/// CPU time of the app, DynamoDB Local's JVM, the benchmark itself and everything else on the machine over one
/// phase, and the app's RSS sampled during it: the 2 cores are shared, so who spent the CPU is part of the result.
/// </summary>
internal sealed class ResourceMeter(int appPid, int javaPid)
{
    /// <summary>Runs a load phase and measures its window: from <paramref name="warmup"/> after the start for <paramref name="duration"/>.</summary>
    public async Task<(T Result, ResourceUse Use)> MeasureAsync<T>(Func<CancellationToken, Task<T>> phase, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        var running = phase(cancellationToken);
        await Task.Delay(warmup, cancellationToken);
        var before = TakeSnapshot();
        var threadsBefore = ProcFs.CpuSecondsByThreadName(appPid);
        var started = DateTimeOffset.UtcNow;
        double maxRss;
        using (var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var rssSampler = SampleRssAsync(sampling.Token);
            await Task.WhenAny(Task.Delay(duration, cancellationToken), running);
            await sampling.CancelAsync();
            maxRss = await rssSampler;
        }

        var after = TakeSnapshot();
        var threadsAfter = ProcFs.CpuSecondsByThreadName(appPid);
        var ended = DateTimeOffset.UtcNow;
        var appThreads = threadsAfter
            .Select(thread => (thread.Key, Seconds: thread.Value - threadsBefore.GetValueOrDefault(thread.Key)))
            .Where(thread => thread.Seconds > 0)
            .OrderByDescending(thread => thread.Seconds)
            .ToDictionary(thread => thread.Key, thread => Math.Round(thread.Seconds, 2));
        var result = await running;
        var machineBusy = after.MachineBusy - before.MachineBusy;
        var machineTotal = after.MachineTotal - before.MachineTotal;
        var app = after.App - before.App;
        var java = after.Java - before.Java;
        var bench = after.Bench - before.Bench;
        return (result, new ResourceUse(
            started,
            ended,
            app,
            java,
            bench,
            Math.Max(0, machineBusy - app - java - bench),
            machineTotal <= 0 ? 0 : machineBusy / machineTotal * 100,
            maxRss,
            ProcFs.LoadAverage(),
            appThreads));
    }

    private Snapshot TakeSnapshot()
    {
        var (busy, total) = ProcFs.MachineCpuSeconds();
        return new Snapshot(
            ProcFs.CpuSeconds(appPid),
            ProcFs.CpuSeconds(javaPid),
            System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            busy,
            total);
    }

    private async Task<double> SampleRssAsync(CancellationToken cancellationToken)
    {
        double max = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            do
            {
                if (ProcFs.Memory(appPid) is { } memory)
                {
                    max = Math.Max(max, memory.RssMb);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // The phase is over.
        }

        if (ProcFs.Memory(appPid) is { } last)
        {
            max = Math.Max(max, last.RssMb);
        }

        return max;
    }

    private sealed record Snapshot(double App, double Java, double Bench, double MachineBusy, double MachineTotal);
}

/// <summary>
/// CPU seconds spent during a phase by each party, the machine's busy share in percent, the app's largest RSS (MiB),
/// and the app's CPU seconds by thread name (Kestrel and thread-pool workers, server GC threads, the tiered JIT, ...).
/// </summary>
internal sealed record ResourceUse(
    DateTimeOffset Started,
    DateTimeOffset Ended,
    double AppCpuSeconds,
    double DynamoDbCpuSeconds,
    double BenchCpuSeconds,
    double OtherCpuSeconds,
    double MachineBusyPercent,
    double AppRssMaxMb,
    double LoadAverage,
    IReadOnlyDictionary<string, double> AppCpuSecondsByThread);
