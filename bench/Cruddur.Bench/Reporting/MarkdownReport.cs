using System.Globalization;
using System.Text;

namespace Cruddur.Bench.Reporting;

/// <summary>Renders the results as markdown tables, each figure beside its reference.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchResults results)
    {
        var md = new StringBuilder();
        var settings = results.Settings;
        var machine = results.Machine;
        Line(md, $"# Cruddur Messaging benchmark — {results.StartedAt:yyyy-MM-dd HH:mm} UTC");
        Line(md);
        Line(md, $"Command: `{results.Command}`");
        Line(md);
        Line(md, $"Machine: {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGb:0} GB; {machine.Os}; .NET {machine.DotNet}; {machine.Java}. "
            + $"Load average {machine.LoadAverageAtStart:0.00} at start, {machine.LoadAverageAtEnd:0.00} at end. "
            + "App, DynamoDB Local (default JVM) and the load generator share the cores.");
        Line(md);
        Line(md, $"Closed loop, each simulated user signed in as its own user; per phase {settings.WarmupSeconds:0.#} s warm-up then {settings.DurationSeconds:0.#} s measured; "
            + $"first {settings.DynamoDbWarmupSeconds / 2:0} s of raw queries (DynamoDB Local's JIT) and {settings.DynamoDbWarmupSeconds / 8:0.#} s of each app pattern (the app's JIT). App GC: {settings.AppGc}."
            + (settings.AppEnvironment.Count == 0 ? "" : " App environment: " + string.Join(", ", settings.AppEnvironment.Select(e => $"`{e.Key}={e.Value}`")) + "."));
        Line(md);

        RenderLoad(md, results);
        RenderStreamLag(md, results);
        RenderScaling(md, results);
        RenderCapacity(md, results);
        RenderProfiles(md, results);
        RenderThreads(md, results);
        RenderMemory(md, results);
        RenderTargets(md, results);

        if (results.Notes.Count > 0)
        {
            Line(md, "## Notes");
            Line(md);
            foreach (var note in results.Notes)
            {
                Line(md, "- " + note);
            }

            Line(md);
        }

        return md.ToString();
    }

    private static void RenderLoad(StringBuilder md, BenchResults results)
    {
        Line(md, "## HTTP load vs the same DynamoDB work");
        Line(md);
        Line(md, "`raw` = pre-built request bodies POSTed to DynamoDB Local over a pooled HttpClient; `sdk` = AWSSDK v4 client; `app` = the web app over HTTP (these three from the C# load generator, `users` = simulated users); `wrk-raw` / `wrk-app` = the same raw requests and app requests sent by wrk (`users` = connections, 2 threads; p95 column = wrk's p90; wrk's own CPU counts under `others`), the reference for the targets. "
            + "A: the Query behind `GET /api/messages/{group}?limit=20`; B: the Query behind `GET /api/message_groups?limit=20`; C: the PutItem behind `POST /api/messages` to a group; "
            + "D: `POST /api/messages` by handle to an existing conversation (referenced to raw C). "
            + "CPU columns: CPU time per answered request of the app, DynamoDB Local's JVM and the load generator; `others` = the rest of the machine (other engineers' builds) in cores.");
        Line(md);
        Line(md, "| pattern | users | client | req/s | ×raw | p50 ms | p95 ms | p99 ms | max ms | p99 ×raw | errors | app µs/req | ddb µs/req | bench µs/req | others (cores) | app KB alloc/req | app GCs 0/1/2 | app RSS MB |");
        Line(md, "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in results.Load)
        {
            var referenceClient = row.Client.StartsWith("wrk", StringComparison.Ordinal) ? "wrk-raw" : "raw";
            var reference = results.Load.FirstOrDefault(r => r.Client == referenceClient && r.Users == row.Users && r.Pattern == (row.Pattern == "D" ? "C" : row.Pattern));
            var r = row.Result;
            var requests = Math.Max(1, r.Requests + r.Errors);
            var use = row.Use;
            var seconds = (use.Ended - use.Started).TotalSeconds;
            var isApp = row.ThroughApp;
            Line(md, string.Join(" | ",
                "| " + row.Pattern,
                row.Users.ToString(CultureInfo.InvariantCulture),
                row.Client,
                F0(r.RequestsPerSecond),
                reference is null || reference == row ? "" : F2(r.RequestsPerSecond / reference.Result.RequestsPerSecond),
                F2(r.P50Ms),
                F2(r.P95Ms),
                F2(r.P99Ms),
                F1(r.MaxMs),
                reference is null || reference == row ? "" : F2(r.P99Ms / reference.Result.P99Ms),
                r.Errors.ToString(CultureInfo.InvariantCulture),
                isApp ? F0(use.AppCpuSeconds * 1e6 / requests) : "",
                F0(use.DynamoDbCpuSeconds * 1e6 / requests),
                F0(use.BenchCpuSeconds * 1e6 / requests),
                seconds <= 0 ? "" : F2(use.OtherCpuSeconds / seconds),
                isApp && row.Runtime is { } runtime ? F1(runtime.AllocatedBytes / 1024 / requests) : "",
                isApp && row.Runtime is { } gcs ? $"{gcs.Gen0}/{gcs.Gen1}/{gcs.Gen2}" : "",
                isApp ? F0(use.AppRssMaxMb) : "") + " |");
        }

        Line(md);
        foreach (var row in results.Load.Where(row => row.Result.FirstErrors.Count > 0))
        {
            Line(md, $"- errors in {row.Pattern}/{row.Client}/{row.Users}: {string.Join("; ", row.Result.FirstErrors.Select(e => "`" + e.Replace('|', '/').Replace('\n', ' ') + "`"))}");
        }

        Line(md);
    }

    private static void RenderStreamLag(StringBuilder md, BenchResults results)
    {
        if (results.StreamLag.Count == 0)
        {
            return;
        }

        Line(md, "## Stream lag (pattern E) under load");
        Line(md);
        Line(md, "From a posted message's `created_at` to the first poll (raw GSI Query every 5 ms, later every 5% of the wait) that finds each participant's newest group row of the group at or past it "
            + "(what B shows: it skips the older row of a move in progress); `settled p99` = until the older rows are deleted too. "
            + $"Sampled from the load's own posts. Drain = after the phase, until every user's last post is reflected and settled. Pattern E ran in {results.StreamHost}.");
        Line(md);
        Line(md, "| load | users | samples | p50 ms | p99 ms | max ms | settled p99 ms | gave up (>15 s) | probe polls | drain after load ms |");
        Line(md, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in results.StreamLag)
        {
            Line(md, $"| {row.Pattern} | {row.Users} | {row.Result.Samples} | {F1(row.Result.P50Ms)} | {F1(row.Result.P99Ms)} | {F1(row.Result.MaxMs)} | {F1(row.Result.SettledP99Ms)} | {row.Result.TimedOut} | {row.Result.Polls} | {F0(row.DrainMs)}{(row.DrainTimedOut > 0 ? $" ({row.DrainTimedOut} not reflected)" : "")} |");
        }

        Line(md);
    }

    private static void RenderScaling(StringBuilder md, BenchResults results)
    {
        if (results.Scaling.Count == 0)
        {
            return;
        }

        Line(md, "## Scaling: first page (limit 20) by fixture size, one user, sequential");
        Line(md);
        Line(md, "| pattern | size | items | app p50 ms | app p95 ms | app ratio | raw p50 ms | raw p95 ms | raw ratio |");
        Line(md, "|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in results.Scaling)
        {
            var size = row.Pattern == "A" ? $"{row.Size:N0} messages" : $"{row.Size:N0} groups";
            Line(md, $"| {row.Pattern} | {size} | {row.Items} | {F2(row.AppP50Ms)} | {F2(row.AppP95Ms)} | {F2(row.AppRatio)} | {F2(row.RawP50Ms)} | {F2(row.RawP95Ms)} | {F2(row.RawRatio)} |");
        }

        Line(md);
    }

    private static void RenderCapacity(StringBuilder md, BenchResults results)
    {
        if (results.Capacity.Count == 0)
        {
            return;
        }

        Line(md, "## Consumed capacity per pattern call (from the core's ConsumedCapacityRecorder)");
        Line(md);
        Line(md, "DynamoDB Local reports each call's capacity without the read/write split: the core files it as RCU or WCU where the call says which; "
            + "`units` are totals of calls that did not say (not guessed here). Calls = DynamoDB calls per pattern call.");
        Line(md);
        Line(md, "| pattern | variant | operation | calls | table RCU | table WCU | GSI RCU | GSI WCU | table units | GSI units |");
        Line(md, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var group in results.Capacity.GroupBy(row => (row.Pattern, row.Variant)))
        {
            foreach (var row in group)
            {
                Line(md, $"| {row.Pattern} | {row.Variant} | `{row.Operation}` | {F2(row.CallsPerPattern)} | {F2(row.TableRcu)} | {F2(row.TableWcu)} | {F2(row.GsiRcu)} | {F2(row.GsiWcu)} | {F2(row.TableUnits)} | {F2(row.GsiUnits)} |");
            }

            if (group.Count() > 1)
            {
                Line(md, $"| **{group.Key.Pattern}** | **{group.Key.Variant}** | **total** | **{F2(group.Sum(r => r.CallsPerPattern))}** | **{F2(group.Sum(r => r.TableRcu))}** | **{F2(group.Sum(r => r.TableWcu))}** | **{F2(group.Sum(r => r.GsiRcu))}** | **{F2(group.Sum(r => r.GsiWcu))}** | **{F2(group.Sum(r => r.TableUnits))}** | **{F2(group.Sum(r => r.GsiUnits))}** |");
            }
        }

        Line(md);
    }

    private static void RenderThreads(StringBuilder md, BenchResults results)
    {
        if (results.Load.Count == 0)
        {
            return;
        }

        Line(md, "## The app's CPU by thread (cores, from /proc/<pid>/task)");
        Line(md);
        Line(md, "In the app's own phases and, for background work (JIT, GC, the stream processor's polling), in the phases that do not call it.");
        Line(md);
        Line(md, "| phase | app cores | top threads (cores) |");
        Line(md, "|---|--:|---|");
        foreach (var row in results.Load)
        {
            var seconds = Math.Max(0.001, (row.Use.Ended - row.Use.Started).TotalSeconds);
            var threads = row.Use.AppCpuSecondsByThread.OrderByDescending(t => t.Value).Take(5).Select(t => $"{t.Key} {t.Value / seconds:0.00}");
            Line(md, $"| {row.Pattern} {row.Client} {row.Users} | {row.Use.AppCpuSeconds / seconds:0.00} | {string.Join(", ", threads)} |");
        }

        Line(md);
    }

    public static string RenderProfilesOnly(BenchResults results)
    {
        var md = new StringBuilder();
        RenderProfiles(md, results);
        return md.ToString();
    }

    private static void RenderProfiles(StringBuilder md, BenchResults results)
    {
        if (results.Profiles.Count == 0)
        {
            return;
        }

        Line(md, "## Where the app's CPU goes (EventPipe sample profiler)");
        Line(md);
        Line(md, "EventPipe samples every managed thread about once a millisecond. Samples whose top frame only spins or waits (thread-pool semaphore, worker idle loop, "
            + "contended `Monitor.Enter`, GC suspension) are counted apart. Of the rest (\"working\" samples): `self` = the area of the top-most frame that belongs to a known area "
            + "(runtime and collection code counts for the library that called it), which adds up to 100%; `stack` = the share with the area anywhere on the stack "
            + "(overlapping: middleware wraps the endpoint, the endpoint calls the SDK).");
        Line(md);
        var areas = results.Profiles.SelectMany(p => p.SelfAreas.Select(a => a.Name)).Concat(results.Profiles.SelectMany(p => p.Areas.Select(a => a.Name)))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(name => results.Profiles.Max(p => p.SelfAreas.FirstOrDefault(a => a.Name == name)?.Percent ?? 0))
            .ToArray();
        Line(md, "| area | " + string.Join(" | ", results.Profiles.Select(p => $"{p.Label}: self | stack")) + " |");
        Line(md, "|---|" + string.Concat(results.Profiles.Select(_ => "--:|--:|")));
        Line(md, "| managed samples / of them spinning or waiting | " + string.Join(" | ", results.Profiles.Select(p => $"{p.ManagedSamples:N0} | {p.WaitingSamples * 100.0 / Math.Max(1, p.ManagedSamples):0}%")) + " |");
        foreach (var area in areas)
        {
            Line(md, $"| {area} | " + string.Join(" | ", results.Profiles.Select(p =>
                (p.SelfAreas.FirstOrDefault(a => a.Name == area) is { } self ? $"{self.Percent:0.0}%" : "")
                + " | "
                + (p.Areas.FirstOrDefault(a => a.Name == area) is { } stack ? $"{stack.Percent:0.0}%" : ""))) + " |");
        }

        Line(md);
        foreach (var profile in results.Profiles)
        {
            Line(md, $"<details><summary>{profile.Label}: top methods</summary>");
            Line(md);
            Line(md, "| on top of the stack (exclusive) | % | Cruddur/AWSSDK on the stack (inclusive) | % |");
            Line(md, "|---|--:|---|--:|");
            for (var i = 0; i < Math.Max(profile.TopExclusive.Count, profile.TopInclusiveOwn.Count); i++)
            {
                var exclusive = i < profile.TopExclusive.Count ? profile.TopExclusive[i] : null;
                var inclusive = i < profile.TopInclusiveOwn.Count ? profile.TopInclusiveOwn[i] : null;
                Line(md, $"| {Code(exclusive?.Name)} | {(exclusive is null ? "" : $"{exclusive.Percent:0.0}")} | {Code(inclusive?.Name)} | {(inclusive is null ? "" : $"{inclusive.Percent:0.0}")} |");
            }

            Line(md);
            if (profile.LockContentionCallers.Count > 0)
            {
                Line(md, "Lock contention (`Monitor.Enter` slow path) taken by: " + string.Join(", ", profile.LockContentionCallers.Select(c => $"{Code(c.Name)} {c.Percent:0.0}%")));
                Line(md);
            }

            Line(md, "</details>");
            Line(md);
        }
    }

    private static string Code(string? name) => name is null ? "" : "`" + (name.Length > 110 ? name[..110] + "…" : name).Replace('|', '/') + "`";

    private static void RenderMemory(StringBuilder md, BenchResults results)
    {
        Line(md, "## Start-up and memory");
        Line(md);
        if (results.Startup is { } startup)
        {
            Line(md, $"- DynamoDB Local started in {startup.DynamoDbStartSeconds:0.0} s, PostgreSQL in {startup.PostgresStartSeconds:0.0} s; "
                + $"seeded {startup.SeededItems:N0} items in {startup.SeedSeconds:0.0} s ({startup.SeededItems / Math.Max(0.001, startup.SeedSeconds):N0} items/s, parallel BatchWriteItem).");
            Line(md, $"- App start (process start → first answered `GET /api/health-check`): **{startup.AppStartMs:0} ms**; RSS right after: {startup.AppRssAfterStartMb:0} MB.");
        }

        foreach (var users in results.Load.Where(row => row.ThroughApp).Select(row => row.Users).Distinct().Order())
        {
            var rss = results.Load.Where(row => row.ThroughApp && row.Users == users).Max(row => row.Use.AppRssMaxMb);
            Line(md, $"- App RSS at {users} users: max {rss:0} MB (sampled every 250 ms during the measured windows).");
        }

        if (results.Memory is { } memory)
        {
            Line(md, $"- App peak RSS over the run (VmHWM): **{memory.PeakRssMb:0} MB**; at the end {memory.RssAtEndMb:0} MB. "
                + (memory.CountersError is null
                    ? $"GCs over the run (EventPipe GCStart events): gen0 {memory.Gen0}, gen1 {memory.Gen1}, gen2 {memory.Gen2}."
                    : $"GC counts unavailable: {memory.CountersError}"));
        }

        Line(md);
    }

    private static void RenderTargets(StringBuilder md, BenchResults results)
    {
        Line(md, "## Targets (reported, never asserted)");
        Line(md);
        Line(md, "| target | figure | met |");
        Line(md, "|---|---|---|");
        foreach (var target in results.Targets)
        {
            Line(md, $"| {target.Target} | {target.Figure} | {(target.Met switch { true => "yes", false => "**no**", null => "n/a" })} |");
        }

        Line(md);
    }

    private static string F0(double value) => double.IsNaN(value) ? "–" : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F1(double value) => double.IsNaN(value) ? "–" : value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string F2(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString("0.00", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
