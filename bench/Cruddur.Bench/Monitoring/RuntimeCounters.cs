using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Cruddur.Bench.Monitoring;

/// <summary>
/// Listens to the app's runtime over EventPipe (its diagnostics socket), as dotnet-counters would: every GC start
/// (with its generation) from the runtime provider, and the System.Runtime counters once a second
/// (allocation rate, GC heap size, thread-pool threads). Attributed to phases by time afterwards.
/// </summary>
internal sealed class RuntimeCounters : IAsyncDisposable
{
    private readonly EventPipeSession session;
    private readonly EventPipeEventSource source;
    private readonly Task processing;
    private readonly ConcurrentQueue<(DateTime At, int Generation)> gcs = new();
    private readonly ConcurrentQueue<(DateTime At, string Name, double Value)> counters = new();

    private RuntimeCounters(EventPipeSession session)
    {
        this.session = session;
        source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCStart += OnGcStart;
        source.Dynamic.All += OnEvent;
        processing = Task.Factory.StartNew(() => source.Process(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Attaches to a .NET process; null (with the reason) when its diagnostics socket does not answer.</summary>
    public static (RuntimeCounters? Counters, string? Error) TryAttach(int pid)
    {
        try
        {
            var client = new DiagnosticsClient(pid);
            var providers = new[]
            {
                new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC),
                new EventPipeProvider("System.Runtime", EventLevel.Informational, 0, new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" }),
            };
            return (new RuntimeCounters(client.StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 64)), null);
        }
        catch (Exception exception) when (exception is ServerNotAvailableException or UnsupportedCommandException or ServerErrorException or TimeoutException or IOException)
        {
            return (null, exception.Message);
        }
    }

    /// <summary>GCs per generation, bytes allocated, and the largest GC heap and thread count reported within a time window.</summary>
    public RuntimeUse Between(DateTimeOffset from, DateTimeOffset to)
    {
        bool Inside(DateTime at) => at >= from.UtcDateTime && at <= to.UtcDateTime;
        var gcsInside = gcs.Where(gc => Inside(gc.At)).ToArray();
        var countersInside = counters.Where(counter => Inside(counter.At)).ToArray();
        double Sum(string name) => countersInside.Where(c => c.Name == name).Sum(c => c.Value);
        double Max(string name) => countersInside.Where(c => c.Name == name).Select(c => c.Value).DefaultIfEmpty(double.NaN).Max();
        return new RuntimeUse(
            gcsInside.Count(gc => gc.Generation == 0),
            gcsInside.Count(gc => gc.Generation == 1),
            gcsInside.Count(gc => gc.Generation == 2),
            Sum("alloc-rate"),
            Max("gc-heap-size"),
            Max("threadpool-thread-count"),
            Sum("time-paused-by-gc"));
    }

    /// <summary>All GCs seen so far, per generation.</summary>
    public (int Gen0, int Gen1, int Gen2) TotalGcs =>
        (gcs.Count(gc => gc.Generation == 0), gcs.Count(gc => gc.Generation == 1), gcs.Count(gc => gc.Generation == 2));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await session.StopAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is ServerNotAvailableException or IOException or ServerErrorException or EndOfStreamException)
        {
            // The app is already gone.
        }

        await Task.WhenAny(processing, Task.Delay(TimeSpan.FromSeconds(5)));
        source.Dispose();
        session.Dispose();
    }

    private void OnGcStart(GCStartTraceData data) => gcs.Enqueue((data.TimeStamp.ToUniversalTime(), data.Depth));

    private void OnEvent(TraceEvent data)
    {
        if (data.EventName != "EventCounters"
            || data.PayloadValue(0) is not IDictionary<string, object> outer
            || !outer.TryGetValue("Payload", out var inner)
            || inner is not IDictionary<string, object> payload
            || !payload.TryGetValue("Name", out var name))
        {
            return;
        }

        var value = payload.TryGetValue("Increment", out var increment) ? increment
            : payload.TryGetValue("Mean", out var mean) ? mean
            : null;
        if (value is not null)
        {
            counters.Enqueue((data.TimeStamp.ToUniversalTime(), (string)name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}

/// <summary>
/// What the app's runtime reported within one phase: GC counts by generation, bytes allocated, largest GC heap (MB),
/// most thread-pool threads, and time paused by GC (ms). NaN where the counter was not reported.
/// </summary>
internal sealed record RuntimeUse(int Gen0, int Gen1, int Gen2, double AllocatedBytes, double GcHeapMaxMb, double ThreadPoolThreadsMax, double GcPauseMs);
