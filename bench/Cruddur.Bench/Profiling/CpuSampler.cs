using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.EventPipe;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Cruddur.Bench.Profiling;

/// <summary>
/// A CPU profile of the app under load, as dotnet-trace's cpu-sampling profile would take it: EventPipe's sample
/// profiler (every managed thread, about every millisecond) with rundown for method names, read back with TraceLog.
/// Only samples of threads running managed code count (threads blocked in native waits are not CPU).
/// </summary>
internal static class CpuSampler
{
    private const int TopMethods = 15;

    /// <summary>Namespace prefixes, first match wins: who the time on the stack belongs to.</summary>
    private static readonly (string Prefix, string Area)[] Areas =
    [
        ("Cruddur.Messaging.Stream.", "Cruddur pattern E (stream processor in the app)"),
        ("Cruddur.Web.", "Cruddur web app"),
        ("Cruddur.", "Cruddur core"),
        ("Amazon.", "AWSSDK"),
        ("Npgsql", "Npgsql"),
        ("Microsoft.IdentityModel", "JWT (IdentityModel)"),
        ("System.IdentityModel", "JWT (IdentityModel)"),
        ("Microsoft.AspNetCore.Authentication", "ASP.NET Core authentication"),
        ("Microsoft.AspNetCore.Server.Kestrel", "Kestrel"),
        ("Microsoft.AspNetCore.RateLimiting", "ASP.NET Core rate limiting"),
        ("System.Threading.RateLimiting", "ASP.NET Core rate limiting"),
        ("Microsoft.AspNetCore.", "ASP.NET Core (routing, middleware, results)"),
        ("Microsoft.Extensions.Logging", "logging"),
        ("Microsoft.Extensions.Caching", "memory cache"),
        ("System.Text.Json", "System.Text.Json"),
        ("System.Net.Http", "HttpClient (to DynamoDB)"),
        ("System.Net.Sockets", "sockets"),
        ("System.Diagnostics", "System.Diagnostics (Activity, metrics)"),
        ("System.Text.RegularExpressions", "regex"),
        ("System.IO.Pipelines", "Kestrel"),
        ("Microsoft.Extensions.DependencyInjection", "dependency injection"),
        ("Microsoft.Extensions.Options", "dependency injection"),
    ];

    /// <summary>Methods that, on top of the stack, mean a thread is spinning or waiting for work, a lock or a GC, not serving a request.</summary>
    private static readonly string[] WaitingOnTop =
    [
        "System.Threading.LowLevelLifoSemaphore.",
        "System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart",
        "System.Threading.Thread.<PollGC>",
        "System.Threading.Thread.PollGC",
        "System.Threading.WaitHandle.Wait",
        "System.Threading.ManualResetEventSlim.Wait",
        "System.Threading.Monitor.Wait",
        "System.Threading.Monitor.Enter_Slowpath",
        "System.Threading.SpinWait.",
        "System.Threading.Thread.Sleep",
        "System.Threading.Thread.SpinWait",
        "Interop+Kernel32.ReleaseSemaphore",
        "Interop+Kernel32.SetEvent",
        "Interop+Sys.WaitForSocketEvents",
        "System.Net.Sockets.SocketAsyncEngine.EventLoop",
    ];

    public static async Task<CpuProfile> ProfileAsync(string label, int pid, Func<CancellationToken, Task> load, string nettracePath, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(pid);
        EventPipeProvider[] providers =
        [
            new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
            new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader)),
        ];
        using (var session = client.StartEventPipeSession(providers, requestRundown: true, circularBufferMB: 256))
        {
            await using var file = File.Create(nettracePath);
            var copy = session.EventStream.CopyToAsync(file, cancellationToken);
            await load(cancellationToken);
            await session.StopAsync(cancellationToken);
            await copy;
        }

        return Analyse(label, nettracePath);
    }

    /// <summary>Reads a saved trace (bench/out/profile-*.nettrace) back into a profile.</summary>
    public static CpuProfile Analyse(string label, string nettracePath)
    {
        var etlxPath = TraceLog.CreateFromEventPipeDataFile(nettracePath);
        try
        {
            using var log = new TraceLog(etlxPath);
            using var source = log.Events.GetSource();
            var parser = new SampleProfilerTraceEventParser(source);
            var managed = 0;
            var waiting = 0;
            var exclusive = new Dictionary<string, int>(StringComparer.Ordinal);
            var inclusiveAreas = new Dictionary<string, int>(StringComparer.Ordinal);
            var inclusiveMethods = new Dictionary<string, int>(StringComparer.Ordinal);
            var lockCallers = new Dictionary<string, int>(StringComparer.Ordinal);
            var selfAreas = new Dictionary<string, int>(StringComparer.Ordinal);
            parser.ThreadSample += sample =>
            {
                if (sample.Type != ClrThreadSampleType.Managed || sample.CallStack() is not { } stack)
                {
                    return;
                }

                managed++;
                var top = MethodName(stack.CodeAddress);
                var resolved = stack;
                while (resolved is not null && MethodName(resolved.CodeAddress).StartsWith('['))
                {
                    resolved = resolved.Caller;
                }

                // Native frames (no method name) are attributed to the managed method that called into them.
                var topResolved = resolved is null ? top : MethodName(resolved.CodeAddress);
                if (topResolved != top)
                {
                    top = "[native] ← " + topResolved;
                }

                if (WaitingOnTop.Any(prefix => topResolved.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    waiting++;
                    if (topResolved.StartsWith("System.Threading.Monitor.Enter", StringComparison.Ordinal))
                    {
                        // Lock contention: who takes the lock?
                        var caller = resolved?.Caller;
                        while (caller is not null && MethodName(caller.CodeAddress).StartsWith("System.Threading.", StringComparison.Ordinal))
                        {
                            caller = caller.Caller;
                        }

                        Increment(lockCallers, caller is null ? "?" : MethodName(caller.CodeAddress));
                    }

                    return;
                }

                Increment(exclusive, top);
                var self = "other (runtime, collections, strings)";
                for (var frame = stack; frame is not null; frame = frame.Caller)
                {
                    if (Area(MethodName(frame.CodeAddress)) is var area && area != "other")
                    {
                        self = area;
                        break;
                    }
                }

                Increment(selfAreas, self);
                var areas = new HashSet<string>(StringComparer.Ordinal);
                var methods = new HashSet<string>(StringComparer.Ordinal);
                for (var frame = stack; frame is not null; frame = frame.Caller)
                {
                    var name = MethodName(frame.CodeAddress);
                    areas.Add(Area(name));
                    if (name.StartsWith("Cruddur.", StringComparison.Ordinal) || name.StartsWith("Amazon.", StringComparison.Ordinal))
                    {
                        methods.Add(name);
                    }
                }

                foreach (var area in areas)
                {
                    Increment(inclusiveAreas, area);
                }

                foreach (var method in methods)
                {
                    Increment(inclusiveMethods, method);
                }
            };
            source.Process();

            var working = managed - waiting;
            double Share(int count) => working == 0 ? 0 : count * 100.0 / working;
            return new CpuProfile(
                label,
                managed,
                waiting,
                [.. inclusiveAreas.Where(a => a.Key != "other").OrderByDescending(a => a.Value).Select(a => new ProfileEntry(a.Key, Share(a.Value)))],
                [.. selfAreas.OrderByDescending(a => a.Value).Select(a => new ProfileEntry(a.Key, Share(a.Value)))],
                [.. exclusive.OrderByDescending(m => m.Value).Take(TopMethods).Select(m => new ProfileEntry(m.Key, Share(m.Value)))],
                [.. inclusiveMethods.OrderByDescending(m => m.Value).Take(TopMethods).Select(m => new ProfileEntry(m.Key, Share(m.Value)))],
                [.. lockCallers.OrderByDescending(m => m.Value).Take(5).Select(m => new ProfileEntry(m.Key, Share(m.Value)))]);
        }
        finally
        {
            File.Delete(etlxPath);
        }
    }

    private static string MethodName(TraceCodeAddress address)
    {
        var name = address.FullMethodName;
        return string.IsNullOrEmpty(name) ? $"[{address.ModuleName}]" : name;
    }

    private static string Area(string method)
    {
        foreach (var (prefix, area) in Areas)
        {
            if (method.StartsWith(prefix, StringComparison.Ordinal))
            {
                return area;
            }
        }

        return "other";
    }

    private static void Increment(Dictionary<string, int> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var count) ? count + 1 : 1;
}

/// <summary>
/// A CPU profile of one load: managed samples, and how many of them only spin or wait (thread pool, locks, GC
/// suspension: their top frame says so); of the rest ("working" samples), the share with each area on the stack
/// (inclusive, so shares overlap), the methods most often on top (exclusive), the Cruddur/AWSSDK methods most often
/// on the stack, and who took contended locks (in the same scale).
/// </summary>
internal sealed record CpuProfile(
    string Label,
    int ManagedSamples,
    int WaitingSamples,
    IReadOnlyList<ProfileEntry> Areas,
    IReadOnlyList<ProfileEntry> SelfAreas,
    IReadOnlyList<ProfileEntry> TopExclusive,
    IReadOnlyList<ProfileEntry> TopInclusiveOwn,
    IReadOnlyList<ProfileEntry> LockContentionCallers);

internal sealed record ProfileEntry(string Name, double Percent);
