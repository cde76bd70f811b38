using Cruddur.Local.StreamProcessor;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Cruddur.Messaging.Hosting;
using Cruddur.Local.Launcher;
using Cruddur.Messaging.Stream;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cruddur.Soak;

/// <summary>
/// 50 simulated users mixing patterns A–D against the web app running as its own process, for a fixed time, through
/// these phases: warm-up; DynamoDB unreachable through the soak's TCP proxy (refusing, then hung past the app's attempt
/// bound), DynamoDB itself untouched; a separate kill of the on-disk DynamoDB Local (SIGKILL, restart on the same
/// -dbPath); a PostgreSQL restart; a stream processor restart. Then: every acknowledged message stored exactly once,
/// one row per member for every group that holds a message, showing its latest message; no 500 ever; the app's RSS at
/// the end within 20% of after warm-up. What the emulator dropped in the kill is reported apart and does not fail the
/// run (real DynamoDB does not lose an acknowledged write; DynamoDB Local can, on SIGKILL). Loopback only; bounded.
/// </summary>
internal static class SoakRun
{
    private const int Users = 50;

    private static readonly TimeSpan OutageStep = TimeSpan.FromSeconds(5);

    // Longer than the app's two attempts of 3 s, so requests sent early in it meet the bound, not the end of the hang.
    private static readonly TimeSpan HungStep = TimeSpan.FromSeconds(8);

    private static readonly string[] Configurations = ["Release", "Debug"];

    public static async Task<int> RunAsync(TextWriter output, string[] args, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 120);
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(duration + TimeSpan.FromMinutes(4));
        var token = hardStop.Token;
        var root = Directory.CreateTempSubdirectory("cruddur-soak-").FullName;
        // As root, PostgreSQL runs as the postgres user, who must be able to reach its folder inside this one.
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var options = new LocalServicesOptions { UnsafeFastPostgres = true };
        var timeline = new Timeline();
        void Say(string line) => output.WriteLine($"[{timeline.Now.TotalSeconds,6:F1}s] {line}");

        var dynamoDir = Path.Combine(root, "dynamodb");
        var postgresDir = Path.Combine(root, "postgres");
        var dynamoDb = await DynamoDbLocal.StartAsync(options, dynamoDir, token);
        var postgres = await PostgresCluster.StartAsync(options, postgresDir, token);
        await using var dynamoProxy = new TcpProxy(dynamoDb.ServiceUrl.Port);
        await using var postgresProxy = new TcpProxy(postgres.Port);
        var dynamoUrl = new Uri($"http://127.0.0.1:{dynamoProxy.Port}");
        var postgresConnection = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Host = "127.0.0.1", Port = postgresProxy.Port, Timeout = 5, CommandTimeout = 10 }.ConnectionString;
        const string table = "cruddur-messages";
        Say($"DynamoDB Local (persistent) started in {dynamoDb.StartTime.TotalSeconds:F1}s, PostgreSQL in {postgres.StartTime.TotalSeconds:F1}s");

        Process? app = null;
        await using var stream = new StreamProcessorRun(dynamoUrl, table);
        try
        {
            app = StartApp(dynamoUrl, postgresConnection, table, out var baseUrl);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
            await WaitForAppAsync(http, app, token);
            Say($"app pid {app.Id} answering at {baseUrl}");
            stream.Start();

            var users = new List<SimUser>();
            for (var i = 0; i < Users; i++)
            {
                users.Add(await SimUser.SignInAsync(http, $"soak_{i:D2}_{Guid.NewGuid():N}"[..20], token));
            }

            var log = new Outcomes();
            using var running = CancellationTokenSource.CreateLinkedTokenSource(token);
            running.CancelAfter(duration);
            var workers = users.Select((user, i) => Task.Run(() => user.RunAsync(http, users[(i + 1) % Users], users, log, timeline, i, running.Token), CancellationToken.None)).ToList();

            // Warm-up, then the faults, spread over the run.
            await DelayAsync(duration * 0.15, running.Token);
            var rssWarm = Rss(app);
            timeline.Enter(Timeline.Steady);
            Say($"warm-up done: {log.Total} requests, app RSS {rssWarm / 1024.0:F0} MiB");

            // The outage: DynamoDB is fine, the network to it is not. Refusing first (fast 503s), then hung (no byte
            // moves; the app's attempt bound turns it into a 503), then restored with the stalled connections cut.
            await DelayAsync(duration * 0.10, running.Token);
            timeline.Enter(Timeline.OutageRefused);
            dynamoProxy.Refusing = true;
            dynamoProxy.DropConnections();
            Say("outage: DynamoDB unreachable (proxy refusing)");
            await DelayAsync(OutageStep, token);
            timeline.Enter(Timeline.OutageHung);
            dynamoProxy.Hung = true;
            dynamoProxy.Refusing = false;
            Say("outage: DynamoDB hung (proxy accepts, moves no byte)");
            await DelayAsync(HungStep, token);
            timeline.Enter(Timeline.Recovery);
            dynamoProxy.Hung = false;
            dynamoProxy.DropConnections();
            Say("outage over: proxy forwarding again");
            await DelayAsync(OutageStep, token);
            timeline.Enter(Timeline.Steady);

            // The kill: a scan just before it (what the emulator had), SIGKILL, restart on the same -dbPath, a scan of
            // what the restarted emulator kept before the app can reach it (the proxy still points at the dead port).
            await DelayAsync(duration * 0.10, running.Token);
            var killStart = timeline.Enter(Timeline.Kill);
            var before = await ScanDirectAsync(dynamoDb, table, token);
            var pid = dynamoDb.ProcessId;
            await dynamoDb.DisposeAsync();
            Say($"kill: DynamoDB Local (pid {pid}) killed with SIGKILL after a scan of {before.Count} messages");
            await DelayAsync(OutageStep, token);
            dynamoDb = await DynamoDbLocal.StartAsync(options, dynamoDir, token);
            var afterRestart = await ScanDirectAsync(dynamoDb, table, token);
            dynamoProxy.TargetPort = dynamoDb.ServiceUrl.Port;
            var kill = new KillWindow(killStart, timeline.Enter(Timeline.Recovery), before, afterRestart);
            Say($"kill: DynamoDB Local back on the same -dbPath after {dynamoDb.StartTime.TotalSeconds:F1}s of start-up, keeping {afterRestart.Count} messages");
            await DelayAsync(OutageStep, token);
            timeline.Enter(Timeline.Steady);

            await DelayAsync(duration * 0.10, running.Token);
            timeline.Enter(Timeline.PostgresRestart);
            await postgres.StopServerAsync(token);
            Say("PostgreSQL stopped");
            postgres = await PostgresCluster.StartAsync(options, postgresDir, token);
            postgresProxy.TargetPort = postgres.Port;
            timeline.Enter(Timeline.Steady);
            Say("PostgreSQL restarted");

            await DelayAsync(duration * 0.10, running.Token);
            timeline.Enter(Timeline.StreamRestart);
            await stream.StopAsync();
            Say("stream processor stopped");
            await DelayAsync(TimeSpan.FromSeconds(3), token);
            stream.Start();
            timeline.Enter(Timeline.Steady);
            Say("stream processor restarted");

            await Task.WhenAll(workers);
            var rssEnd = Rss(app);
            Say($"load done: {log.Total} requests");

            await stream.StopAsync();
            var catchUpClock = Stopwatch.StartNew();
            var caughtUp = await stream.CatchUpAsync(token);
            Say($"stream caught up in {catchUpClock.Elapsed.TotalSeconds:F1}s ({caughtUp} records in the final pass)");

            using var dynamo = new AmazonDynamoDBClient(DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.LocalClientConfig(dynamoUrl));
            var report = await Ledger.CheckAsync(dynamo, table, [.. log.Acknowledged], users.Select(u => u.Uuid), kill, token);
            var rssRatio = (double)rssEnd / rssWarm;
            return Print(output, duration, timeline, log, report, rssWarm, rssEnd, rssRatio) ? 0 : 1;
        }
        finally
        {
            if (app is { HasExited: false })
            {
                app.Kill(entireProcessTree: true);
                await app.WaitForExitAsync(CancellationToken.None);
            }

            app?.Dispose();
            await dynamoDb.DisposeAsync();
            await postgres.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<IReadOnlySet<string>> ScanDirectAsync(DynamoDbLocal dynamoDb, string table, CancellationToken token)
    {
        // The soak's own look, not the app's: the SDK's patience, since a busy or just restarted emulator can be slow.
        var config = DataSourceServiceCollectionExtensions.LocalClientConfig(dynamoDb.ServiceUrl);
        (config.Timeout, config.MaxErrorRetry) = (TimeSpan.FromSeconds(30), 3);
        using var direct = new AmazonDynamoDBClient(DataSourceServiceCollectionExtensions.LocalCredentials, config);
        return await Ledger.ScanMessageUuidsAsync(direct, table, token);
    }

    private static bool Print(TextWriter output, TimeSpan duration, Timeline timeline, Outcomes log, LedgerReport report, long rssWarm, long rssEnd, double rssRatio)
    {
        output.WriteLine();
        output.WriteLine("== soak figures ==");
        output.WriteLine($"duration {duration.TotalSeconds:F0}s, users {Users}, requests {log.Total}");
        output.WriteLine($"phases: {string.Join(", ", timeline.Phases().Select(p => $"{p.Phase} {p.Start.TotalSeconds:F1}–{p.End.TotalSeconds:F1}s"))}");
        foreach (var (name, counts) in log.ByPhase())
        {
            output.WriteLine($"  {name,-18} {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}"))}");
        }

        output.WriteLine($"time to 503 by phase sent in: {string.Join("; ", log.ServiceUnavailableTimes().Select(t => $"{t.Phase} n={t.Count} p50 {t.P50:F0} ms max {t.Max:F0} ms"))}");
        output.WriteLine($"by operation: {string.Join(", ", log.ByOperation().OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}"))}");
        output.WriteLine($"acknowledged posts {report.Acknowledged}; stored exactly once {report.StoredOnce}; missing {report.Missing}; duplicated {report.Duplicated}");
        output.WriteLine($"groups {report.Groups}; group rows (one per member) showing the latest message {report.RowsCurrent}/{report.RowsExpected}; short, extra or stale {report.RowsExpected - report.RowsCurrent}");
        output.WriteLine($"500 answers {log.Count(500)}; other 5xx than 503 {log.CountServerErrorsOtherThan503()}; non-503 failures while DynamoDB was down {log.NonServiceUnavailableFailuresWhileDown()}");
        output.WriteLine($"app RSS after warm-up {rssWarm / 1024.0:F0} MiB, at the end {rssEnd / 1024.0:F0} MiB, ratio {rssRatio:F2}");
        var emulator = report.Emulator.ToList();
        output.WriteLine($"lost by the emulator in the kill (reported, not part of the verdict: DynamoDB Local can drop acknowledged writes on SIGKILL, real DynamoDB does not): {emulator.Count}");
        foreach (var finding in emulator)
        {
            output.WriteLine($"  {finding.Kind}: {finding.Subject}; {finding.Why}");
        }

        var ours = report.Ours.ToList();
        output.WriteLine($"lost or wrong by us (the verdict): {ours.Count}");
        foreach (var finding in ours)
        {
            output.WriteLine($"  {finding.Kind}: {finding.Subject}; {finding.Why}");
        }

        var ok = ours.Count == 0 && log.Count(500) == 0 && log.CountServerErrorsOtherThan503() == 0 && rssRatio is > 0.8 and < 1.2;
        output.WriteLine(ok ? "RESULT: PASS" : "RESULT: FAIL");
        return ok;
    }

    private static Process StartApp(Uri dynamoUrl, string postgres, string table, out Uri baseUrl)
    {
        var repo = FindRepoRoot();
        var dll = Configurations.Select(c => Path.Combine(repo, "src", "Cruddur.Web", "bin", c, "net10.0", "Cruddur.Web.dll")).Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new InvalidOperationException("Build the web app first: dotnet build src/Cruddur.Web");
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            baseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.ToString());
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DynamoDb__ServiceUrl"] = dynamoUrl.ToString();
        start.Environment["ConnectionStrings__Postgres"] = postgres;
        start.Environment["Messaging__TableName"] = table;
        start.Environment["LocalRun__LoadSchemas"] = "true";
        start.Environment["LocalRun__SeedDemoData"] = "false";
        start.Environment["LocalRun__StreamProcessor"] = "false";
        start.Environment["LocalRun__PrintSignInHelp"] = "false";
        start.Environment["RateLimiting__Posts__PermitLimit"] = "1000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cruddur.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the soak from the repository's build output.");
    }

    private static async Task WaitForAppAsync(HttpClient http, Process app, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {app.ExitCode} while starting.");
            }

            try
            {
                using var response = await http.GetAsync("/api/health-check", token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The app did not answer within 90 s.");
            }

            await Task.Delay(200, token);
        }
    }

    /// <summary>Resident set size of the process in KiB, from /proc.</summary>
    private static long Rss(Process process) =>
        File.ReadLines($"/proc/{process.Id}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).Single();

    private static async Task DelayAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>Every answer of the run by phase, operation and status, and the acknowledged posts.</summary>
internal sealed class Outcomes
{
    private readonly ConcurrentQueue<(string Phase, string Operation, int Status, TimeSpan Took)> answers = new();

    public ConcurrentQueue<Ack> Acknowledged { get; } = new();

    public int Total => answers.Count;

    public void Add(string phase, string operation, int status, TimeSpan took) => answers.Enqueue((phase, operation, status, took));

    public int Count(int status) => answers.Count(a => a.Status == status);

    public int CountServerErrorsOtherThan503() => answers.Count(a => a.Status >= 500 && a.Status != 503);

    /// <summary>Failures while DynamoDB was down that are not the 503 the client may retry (0 = network error, 4xx, 500).</summary>
    public int NonServiceUnavailableFailuresWhileDown() => answers.Count(a => Timeline.DynamoDbDown.Contains(a.Phase) && a.Status is not (200 or 503));

    public IEnumerable<(string Phase, Dictionary<int, int> Counts)> ByPhase() =>
        answers.GroupBy(a => a.Phase).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.GroupBy(a => a.Status).ToDictionary(s => s.Key, s => s.Count())));

    /// <summary>How long the 503s of each phase took: a refusing store should answer fast, a hung one within the attempt bound.</summary>
    public IEnumerable<(string Phase, int Count, double P50, double Max)> ServiceUnavailableTimes() =>
        answers.Where(a => a.Status == 503).GroupBy(a => a.Phase).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var ms = g.Select(a => a.Took.TotalMilliseconds).Order().ToList();
            return (g.Key, ms.Count, ms[ms.Count / 2], ms[^1]);
        });

    public Dictionary<string, int> ByOperation() => answers.GroupBy(a => a.Operation).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>One simulated user: signs in once, then mixes reading (A, B) and sending (C, D) with short pauses.</summary>
internal sealed class SimUser(Guid uuid, string handle, string token)
{
    private readonly List<Guid> groups = [];

    public Guid Uuid => uuid;

    public string Handle => handle;

    public static async Task<SimUser> SignInAsync(HttpClient http, string handle, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/dev/sign-in", new Dictionary<string, string> { ["handle"] = handle }, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return new SimUser(json.RootElement.GetProperty("user").GetProperty("uuid").GetGuid(), handle, json.RootElement.GetProperty("access_token").GetString()!);
    }

    public async Task RunAsync(HttpClient http, SimUser partner, List<SimUser> everyone, Outcomes log, Timeline timeline, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        for (var n = 0; n < 100_000 && !cancellationToken.IsCancellationRequested; n++)
        {
            var roll = random.Next(100);
            var recipient = random.Next(4) == 0 && everyone[random.Next(everyone.Count)] is var other && other != this ? other : partner;
            var (operation, request) = roll switch
            {
                < 30 when groups.Count > 0 => ("A", Get($"/api/messages/{groups[random.Next(groups.Count)]}?limit=20")),
                < 55 => ("B", Get("/api/message_groups?limit=20")),
                < 85 when groups.Count > 0 => ("C", Post(new Dictionary<string, string> { ["message"] = $"{handle} #{n}", ["message_group_uuid"] = groups[random.Next(groups.Count)].ToString() })),
                _ => ("D", Post(new Dictionary<string, string> { ["message"] = $"{handle} #{n}", ["handle"] = recipient.Handle })),
            };
            var sent = timeline.Stamp();
            int status;
            try
            {
                using (request)
                using (var response = await http.SendAsync(request, cancellationToken))
                {
                    status = (int)response.StatusCode;
                    if (status == 200 && operation is "C" or "D")
                    {
                        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                        var group = json.RootElement.GetProperty("message_group_uuid").GetGuid();
                        var (phase, at) = timeline.Stamp();
                        log.Acknowledged.Enqueue(new Ack(operation, group, json.RootElement.GetProperty("uuid").GetString()!, uuid, operation == "D" ? recipient.Uuid : null, phase, at));
                        if (!groups.Contains(group))
                        {
                            groups.Add(group);
                        }
                    }
                    else if (status == 200 && operation == "B")
                    {
                        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                        foreach (var row in json.RootElement.EnumerateArray())
                        {
                            var group = row.GetProperty("uuid").GetGuid();
                            if (!groups.Contains(group))
                            {
                                groups.Add(group);
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            log.Add(sent.Phase, operation, status, timeline.Now - sent.At);
            await Task.Delay(100 + random.Next(200), CancellationToken.None);
        }
    }

    private HttpRequestMessage Get(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private HttpRequestMessage Post(Dictionary<string, string> body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

/// <summary>The local stream processor in this process, on the DynamoDB proxy, so it can be stopped and started again.</summary>
internal sealed class StreamProcessorRun(Uri dynamoUrl, string table) : IAsyncDisposable
{
    private ServiceProvider? services;
    private CancellationTokenSource? stop;
    private Task? running;

    public void Start()
    {
        services = Build();
        stop = new CancellationTokenSource();
        var processor = services.GetRequiredService<LocalStreamProcessor>();
        running = Task.Run(() => processor.RunAsync(stop.Token));
    }

    public async Task StopAsync()
    {
        if (stop is null)
        {
            return;
        }

        await stop.CancelAsync();
        await running!;
        stop.Dispose();
        await services!.DisposeAsync();
        (stop, running, services) = (null, null, null);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Passes over the stream until a pass finds nothing; returns the records of the passes.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        await using var provider = Build();
        var processor = provider.GetRequiredService<LocalStreamProcessor>();
        var total = 0;
        // Each pass writes checkpoint items, which are stream records themselves: a few passes, not "until nothing".
        for (var pass = 0; pass < 3; pass++)
        {
            var handled = await processor.CatchUpAsync(cancellationToken);
            total += handled;
            if (handled == 0)
            {
                break;
            }
        }

        return total;
    }

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = dynamoUrl.ToString(),
            [CruddurSettings.PostgresConnectionString] = "Host=127.0.0.1;Port=1",
            ["Messaging:TableName"] = table,
        }).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning))
            .AddCruddurDataSources(configuration)
            .AddCruddurMessaging()
            .AddLocalStreamProcessor()
            .BuildServiceProvider();
    }
}
