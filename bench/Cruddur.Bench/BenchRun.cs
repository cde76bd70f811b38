using Cruddur.Local.StreamProcessor;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Bench.Capacity;
using Cruddur.Bench.Launch;
using Cruddur.Bench.Load;
using Cruddur.Bench.Monitoring;
using Cruddur.Bench.Profiling;
using Cruddur.Bench.Reporting;
using Cruddur.Bench.Seeding;
using Cruddur.Bench.StreamLag;
using Cruddur.Messaging.Hosting;
using Cruddur.Local.Launcher;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cruddur.Bench;

/// <summary>
/// One benchmark run: starts DynamoDB Local (default JVM) and PostgreSQL, seeds, starts the app as its own process,
/// then measures every pattern through the app beside the same DynamoDB work issued raw and through the SDK.
/// </summary>
internal sealed class BenchRun(BenchOptions options, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
{
    private const int PageSize = 20;
    private static readonly string[] Patterns = ["A", "B", "C", "D"];

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long rawSequence;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var repoRoot = Metadata("RepoRoot") ?? Directory.GetCurrentDirectory();
        var webAppDll = options.WebAppDll ?? Metadata("WebAppDll");
        if (webAppDll is null || !File.Exists(webAppDll))
        {
            throw new InvalidOperationException($"The web app is not built at {webAppDll}: run ./bench.sh (it builds src/Cruddur.Web in Release), or pass --web-dll.");
        }

        var results = new BenchResults
        {
            Command = "./bench.sh " + string.Join(' ', args),
            StartedAt = DateTimeOffset.UtcNow,
            Machine = await DescribeMachineAsync(cancellationToken),
            Settings = new RunSettings(
                options.Quick,
                options.Users,
                options.Warmup.TotalSeconds,
                options.Duration.TotalSeconds,
                options.DynamoDbWarmup.TotalSeconds,
                BenchData.LoadUserCount(options.Users.Max()),
                DescribeGc(webAppDll, options.AppEnvironment),
                options.AppEnvironment),
        };

        Progress("starting DynamoDB Local (default JVM) and PostgreSQL");
        await using var services = await LocalEnvironment.StartAsync(new LocalServicesOptions { FastStartJvm = false, UnsafeFastPostgres = true }, cancellationToken);
        var dynamoDbUrl = services.DynamoDb!.ServiceUrl;
        var postgres = services.Postgres!.ConnectionString;
        using var sdk = new AmazonDynamoDBClient(DataSourceServiceCollectionExtensions.LocalCredentials, DataSourceServiceCollectionExtensions.LocalClientConfig(dynamoDbUrl));
        using var rawHttp = NewHttpClient();
        using var appHttp = NewHttpClient();
        var raw = new RawDynamoDb(rawHttp, dynamoDbUrl);
        await using var dataSource = NpgsqlDataSource.Create(postgres);

        var stamp = results.StartedAt.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var table = $"bench-messages-{stamp}";
        var sideTable = $"bench-side-{stamp}";
        results.Notes.Add($"PostgreSQL runs without fsync (UnsafeFastPostgres); the warm read path does not touch it. Table `{table}` is the app's, and the raw and SDK puts go into it under `BENCHPUT#` keys that pattern E passes over; `{sideTable}` is the stream capacity probe's.");

        // The app's table is seeded with its stream off and the stream turned on afterwards, so the app's stream
        // processor does not have to work through the seed: the run starts from a settled table, as production would.
        var createMain = MessageTableSchema.CreateTableRequest(table);
        createMain.StreamSpecification = new StreamSpecification { StreamEnabled = false };
        await sdk.CreateTableAsync(createMain, cancellationToken);
        await WaitUntilActiveAsync(sdk, table, needStream: false, cancellationToken);
        await MessageTableSchema.CreateIfMissingAsync(sdk, sideTable, cancellationToken);
        await UserSchema.CreateIfMissingAsync(dataSource, cancellationToken);

        Progress("creating users and seeding");
        // The seed goes through the core's own stores and table gateway, on the benchmark's clients.
        await using var seedServices = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection([new($"{MessagingOptions.SectionName}:TableName", table)]).Build())
            .AddLogging()
            .AddSingleton<IAmazonDynamoDB>(sdk)
            .AddSingleton(dataSource)
            .AddSingleton(TimeProvider.System)
            .AddCruddurMessaging()
            .BuildServiceProvider();
        var data = await CreateUsersAsync(seedServices.GetRequiredService<UserStore>(), cancellationToken);
        var seedClock = Stopwatch.StartNew();
        var seeded = await new BatchSeeder(seedServices.GetRequiredService<TableGateway>()).WriteAsync(options.WrkOnly ? data.LoadItems() : data.LoadItems().Concat(data.ScalingItems()), parallelism: 4, cancellationToken);
        seedClock.Stop();
        Progress($"seeded {seeded:N0} items in {seedClock.Elapsed.TotalSeconds:0.0} s");
        await sdk.UpdateTableAsync(
            new UpdateTableRequest { TableName = table, StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES } },
            cancellationToken);
        await WaitUntilActiveAsync(sdk, table, needStream: true, cancellationToken);

        // "Once the services run": DynamoDB Local's JVM keeps compiling and collecting for a while after the seeding.
        var (quiet, busy) = await WaitForQuietMachineAsync(TimeSpan.FromSeconds(30), cancellationToken);
        results.Notes.Add($"The app was started once the machine was quiet after the seeding ({busy:P0} busy over the last second, after waiting {quiet.TotalSeconds:0.0} s).");
        Progress("starting the app");
        var appEnvironment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["DynamoDb__ServiceUrl"] = dynamoDbUrl.ToString(),
            ["ConnectionStrings__Postgres"] = postgres,
            ["Messaging__TableName"] = table,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            // The benchmark brings its own data and sends far more than a person would: no demo data, no per-user send limit.
            ["LocalRun__SeedDemoData"] = "false",
            ["LocalRun__PrintSignInHelp"] = "false",
            ["RateLimiting__Posts__PermitLimit"] = "100000000",
        };
        foreach (var (name, value) in options.AppEnvironment)
        {
            appEnvironment[name] = value;
        }

        await using var app = await AppProcess.StartAsync(webAppDll, appEnvironment, appHttp, TimeSpan.FromSeconds(120), cancellationToken);
        results.Startup = new StartupResult(
            services.DynamoDb.StartTime.TotalSeconds,
            services.Postgres.StartTime.TotalSeconds,
            seeded,
            seedClock.Elapsed.TotalSeconds,
            app.StartTime.TotalMilliseconds,
            ProcFs.Memory(app.ProcessId)?.RssMb ?? double.NaN);
        Progress($"app answered after {app.StartTime.TotalMilliseconds:0} ms at {app.BaseAddress}");
        var (counters, countersError) = RuntimeCounters.TryAttach(app.ProcessId);
        await using var countersLifetime = counters;

        var client = new AppClient(appHttp, app.BaseAddress);
        var users = await SignInAsync(client, data.LoadUsers, cancellationToken);
        await ValidateAsync(client, data, users, cancellationToken);

        IConfiguration CoreConfiguration(string tableName) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = dynamoDbUrl.ToString(),
            [CruddurSettings.PostgresConnectionString] = postgres,
            ["Messaging:TableName"] = tableName,
        }).Build();
        var lagProbe = new StreamLagProbe(raw, table);
        var streamRunning = await CheckStreamAsync(client, users[data.LoadUsers[0].Uuid], data.ReadGroups[0].Uuid, lagProbe, cancellationToken);
        await using var fallbackStream = streamRunning ? null : new FallbackStreamProcessor(CoreConfiguration(table));
        if (!streamRunning)
        {
            streamRunning = await CheckStreamAsync(client, users[data.LoadUsers[0].Uuid], data.ReadGroups[0].Uuid, lagProbe, cancellationToken);
            results.StreamHost = "the benchmark process (the app does not register AddLocalStreamProcessor)";
            results.Notes.Add("The app runs no stream processor (`AddLocalStreamProcessor` is not registered in Program.cs), so pattern E ran in the benchmark process: "
                + "the core's own LocalStreamProcessor, same code and settings, on the same cores. Its CPU counts under `bench µs/req`, not `app µs/req`.");
        }

        // Warm-up before any measurement: DynamoDB Local's JVM (default flags) with raw queries, then every app pattern,
        // so that the app's tiered JIT has compiled its hot paths and does not spend the first phases compiling.
        var targets = new LoadTargets(this, data, users, client, raw, sdk, table);
        var warmUsers = Math.Min(16, options.Users.Max());
        Progress($"warming DynamoDB Local for {options.DynamoDbWarmup.TotalSeconds / 2:0} s, then the app ({options.DynamoDbWarmup.TotalSeconds / 8:0.#} s per pattern)");
        await LoadRunner.RunAsync(warmUsers, TimeSpan.Zero, options.DynamoDbWarmup / 2, targets.Raw("A"), cancellationToken);
        var warmPosts = new byte[warmUsers][];
        foreach (var pattern in Patterns)
        {
            await LoadRunner.RunAsync(warmUsers, TimeSpan.Zero, options.DynamoDbWarmup / 8, targets.App(pattern, null, warmPosts), cancellationToken);
        }

        if (streamRunning)
        {
            await lagProbe.DrainAsync(LastPosts(warmPosts), TimeSpan.FromSeconds(120), cancellationToken);
        }

        // Every put of a C phase, raw ones included, is a stream record the app's pattern E reads (and passes over when it
        // is not a message): the next phase starts once E has reached a post made after them, not while it reads a backlog.
        async Task CatchUpStreamAsync(string pattern)
        {
            if (pattern == "C" && streamRunning)
            {
                await CheckStreamAsync(client, users[data.LoadUsers[0].Uuid], data.ReadGroups[0].Uuid, lagProbe, cancellationToken);
            }
        }

        var meter = new ResourceMeter(app.ProcessId, services.DynamoDb.ProcessId);
        if (Wrk.IsInstalled())
        {
            // wrk is the reference client for the app / raw ratios: the cheapest load generator leaves the most of the
            // two cores to DynamoDB Local and the app.
            foreach (var pattern in new[] { "A", "B", "C" })
            {
                foreach (var concurrency in options.Users)
                {
                    results.Load.Add(await MeasureWrkAsync(meter, pattern, "wrk-raw", concurrency, dynamoDbUrl, targets.WrkRaw(pattern, concurrency), cancellationToken));
                    await CatchUpStreamAsync(pattern);
                    results.Load.Add(await MeasureWrkAsync(meter, pattern, "wrk-app", concurrency, app.BaseAddress, targets.WrkApp(pattern, concurrency), cancellationToken));
                    await CatchUpStreamAsync(pattern);
                }
            }
        }
        else
        {
            results.Notes.Add("wrk is not installed (./bench.sh installs it as root): the app / raw ratios come from the C# load generator only.");
        }

        foreach (var pattern in options.WrkOnly ? [] : Patterns)
        {
            foreach (var concurrency in options.Users)
            {
                if (pattern != "D")
                {
                    results.Load.Add(await MeasureAsync(meter, pattern, "raw", concurrency, targets.Raw(pattern), cancellationToken));
                    await CatchUpStreamAsync(pattern);
                    results.Load.Add(await MeasureAsync(meter, pattern, "sdk", concurrency, targets.Sdk(pattern), cancellationToken));
                    await CatchUpStreamAsync(pattern);
                }

                var probe = pattern == "C" && streamRunning ? new StreamLagProbe(raw, table) : null;
                var lastPosts = new byte[concurrency][];
                results.Load.Add(await MeasureAsync(meter, pattern, "app", concurrency, targets.App(pattern, probe, lastPosts), cancellationToken));
                if (pattern is "C" or "D" && streamRunning)
                {
                    var lag = probe is null ? null : await probe.CompleteAsync();
                    var (drained, notReached) = await lagProbe.DrainAsync(LastPosts(lastPosts), TimeSpan.FromSeconds(120), cancellationToken);
                    results.StreamLag.Add(new StreamLagRow(pattern, concurrency, lag ?? new StreamLagResult(0, 0, double.NaN, double.NaN, double.NaN, double.NaN, 0), drained.TotalMilliseconds, notReached));
                    Progress($"  stream: {(lag is null ? "" : $"lag p50 {lag.P50Ms:0.0} ms p99 {lag.P99Ms:0.0} ms ({lag.Samples} samples); ")}drained in {drained.TotalMilliseconds:0} ms");
                }
            }
        }

        var profiledUsers = options.Users.Contains(16) ? 16 : options.Users.Max();
        var outputDirectory = options.OutputDirectory ?? Path.Combine(repoRoot, "bench", "out");
        Directory.CreateDirectory(outputDirectory);
        foreach (var pattern in options.WrkOnly ? [] : new[] { "A", "B", "C" })
        {
            Progress($"CPU profile of the app: {pattern} at {profiledUsers} users for {options.ProfileDuration.TotalSeconds:0} s");
            var profiledPosts = new byte[profiledUsers][];
            var request = targets.App(pattern, null, profiledPosts);
            var profile = await CpuSampler.ProfileAsync(
                $"{pattern} at {profiledUsers} users",
                app.ProcessId,
                ct => LoadRunner.RunAsync(profiledUsers, TimeSpan.Zero, options.ProfileDuration, request, ct),
                Path.Combine(outputDirectory, $"profile-{pattern}.nettrace"),
                cancellationToken);
            results.Profiles.Add(profile);
            if (pattern == "C" && streamRunning)
            {
                // Let pattern E catch up before the next measurement.
                await lagProbe.DrainAsync(LastPosts(profiledPosts), TimeSpan.FromSeconds(120), cancellationToken);
            }
        }

        if (!options.WrkOnly)
        {
            Progress("scaling");
            results.Scaling.AddRange(await ScalingAsync(client, raw, data, table, cancellationToken));

            Progress("consumed capacity (in-process through the core)");
            results.Capacity.AddRange(await CapacityProbe.RunAsync(CoreConfiguration(table), data, cancellationToken));
            results.Capacity.AddRange(await CapacityProbe.RunStreamAsync(CoreConfiguration(sideTable), data, cancellationToken));
        }

        var memory = ProcFs.Memory(app.ProcessId);
        if (counters is not null)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            for (var i = 0; i < results.Load.Count; i++)
            {
                var row = results.Load[i];
                results.Load[i] = row with { Runtime = row.ThroughApp ? counters.Between(row.Use.Started, row.Use.Ended) : null };
            }
        }

        var (gen0, gen1, gen2) = counters?.TotalGcs ?? (0, 0, 0);
        results.Memory = new MemoryResult(memory?.PeakRssMb ?? double.NaN, memory?.RssMb ?? double.NaN, gen0, gen1, gen2, countersError);
        if (app.HasExited)
        {
            results.Notes.Add("The app exited during the run: " + app.RecentOutput);
        }
        else if (app.RecentOutput.Length > 0)
        {
            var warnings = app.RecentOutput.Split('\n').Count(line => line.StartsWith("warn", StringComparison.Ordinal) || line.StartsWith("fail", StringComparison.Ordinal));
            if (warnings > 0)
            {
                results.Notes.Add($"The app logged {warnings} warning/error lines (of its last 200 output lines).");
            }
        }

        results.FinishedAt = DateTimeOffset.UtcNow;
        results.Machine = results.Machine with { LoadAverageAtEnd = ProcFs.LoadAverage() };
        Targets.Evaluate(results, options.Users);
        await WriteAsync(results, repoRoot, stamp, cancellationToken);
    }

    /// <summary>Waits until the whole machine is under 15% busy over a second, or the time runs out: how long it waited, how busy it was.</summary>
    private static async Task<(TimeSpan Waited, double Busy)> WaitForQuietMachineAsync(TimeSpan atMost, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var (busyBefore, totalBefore) = ProcFs.MachineCpuSeconds();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var (busyAfter, totalAfter) = ProcFs.MachineCpuSeconds();
            var busy = (busyAfter - busyBefore) / Math.Max(0.001, totalAfter - totalBefore);
            if (busy < 0.15 || waited.Elapsed >= atMost)
            {
                return (waited.Elapsed, busy);
            }
        }
    }

    /// <summary>Posts once through the app and waits for pattern E to move both group rows: is the app's stream processor running?</summary>
    private async Task<bool> CheckStreamAsync(AppClient client, SignedInUser user, Guid group, StreamLagProbe probe, CancellationToken cancellationToken)
    {
        var (body, error) = await client.PostAsync(user, new Uri("/api/messages", UriKind.Relative), AppClient.PostToGroupBody(group, "stream check"), cancellationToken);
        if (body is null || !StreamLagProbe.TryRead(body, out var posted, out var createdAt))
        {
            throw new InvalidOperationException($"Posting to a group failed: {error ?? "the answer has no message_group_uuid and created_at"}");
        }

        var lag = await probe.WaitUntilRowsReachAsync(posted, createdAt, cancellationToken);
        Progress(lag is { } value ? $"stream processor is running (first lag {value.Visible.TotalMilliseconds:0} ms)" : "stream processor is NOT running in the app");
        return lag is not null;
    }

    private static (Guid Group, DateTimeOffset CreatedAt)[] LastPosts(byte[][] bodies) =>
        [.. bodies.Where(body => body is not null)
            .Select(body => StreamLagProbe.TryRead(body, out var group, out var createdAt) ? (group, createdAt) : default)
            .Where(post => post != default)];

    internal long NextRawSequence() => Interlocked.Increment(ref rawSequence);

    internal static string? Metadata(string key) =>
        typeof(BenchRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static HttpClient NewHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = int.MaxValue,
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private async Task<LoadRow> MeasureAsync(ResourceMeter meter, string pattern, string client, int concurrency, LoadRequest request, CancellationToken cancellationToken)
    {
        var (result, use) = await meter.MeasureAsync(
            ct => LoadRunner.RunAsync(concurrency, options.Warmup, options.Duration, request, ct),
            options.Warmup,
            options.Duration,
            cancellationToken);
        Progress($"{pattern} {client,-3} {concurrency,3} users: {result.RequestsPerSecond,7:0} req/s  p50 {result.P50Ms:0.00}  p99 {result.P99Ms:0.00} ms  errors {result.Errors}  (machine {use.MachineBusyPercent:0}% busy, others {use.OtherCpuSeconds / Math.Max(0.001, (use.Ended - use.Started).TotalSeconds):0.00} cores)");
        return new LoadRow(pattern, client, concurrency, result, use, null);
    }

    /// <summary>A wrk phase: a warm-up run, then the measured run inside the resource meter's window.</summary>
    private async Task<LoadRow> MeasureWrkAsync(ResourceMeter meter, string pattern, string client, int connections, Uri target, IReadOnlyList<WrkRequest> requests, CancellationToken cancellationToken)
    {
        var (result, use) = await meter.MeasureAsync(
            async ct =>
            {
                await Wrk.RunAsync(target, requests, connections, options.Warmup, ct);
                return await Wrk.RunAsync(target, requests, connections, options.Duration, ct);
            },
            options.Warmup,
            options.Duration,
            cancellationToken);
        Progress($"{pattern} {client,-7} {connections,3} conns: {result.RequestsPerSecond,7:0} req/s  p50 {result.P50Ms:0.00}  p99 {result.P99Ms:0.00} ms  errors {result.Errors}  (machine {use.MachineBusyPercent:0}% busy, others incl. wrk {use.OtherCpuSeconds / Math.Max(0.001, (use.Ended - use.Started).TotalSeconds):0.00} cores)");
        return new LoadRow(pattern, client, connections, result, use, null);
    }

    private async Task<BenchData> CreateUsersAsync(UserStore store, CancellationToken cancellationToken)
    {
        async Task<User> Create(string handle) =>
            await store.CreateIfAbsentAsync(handle, "Bench " + handle, $"{handle}@bench.invalid", null, cancellationToken);

        var loadUsers = new List<User>();
        for (var i = 0; i < BenchData.LoadUserCount(options.Users.Max()); i++)
        {
            loadUsers.Add(await Create($"bench_u{i:000}"));
        }

        var owners = new List<(int, User)>();
        foreach (var size in options.ScalingGroups)
        {
            owners.Add((size, await Create($"bench_b{size}")));
        }

        return new BenchData
        {
            LoadUsers = loadUsers,
            Conversations = BenchData.PlanConversations(loadUsers.Count),
            ScalingGroupOwners = owners,
            ScalingReader = await Create("bench_a"),
            ScalingPeer = await Create("bench_a_peer"),
            ScalingGroups = [.. options.ScalingMessages.Select(size => (size, Guid.NewGuid()))],
        };
    }

    private async Task<Dictionary<Guid, SignedInUser>> SignInAsync(AppClient client, IEnumerable<User> users, CancellationToken cancellationToken)
    {
        var signedIn = new Dictionary<Guid, SignedInUser>();
        foreach (var user in users)
        {
            var session = await client.SignInAsync(user.Handle, user.DisplayName, cancellationToken);
            if (session.Uuid != user.Uuid)
            {
                throw new InvalidOperationException($"Dev sign-in of @{user.Handle} answered user {session.Uuid}, but the seeded user is {user.Uuid}.");
            }

            signedIn[user.Uuid] = session;
        }

        Progress($"signed in {signedIn.Count} users");
        return signedIn;
    }

    /// <summary>Checks that each measured request does the work it claims (a full page), so no figure is cheap by mistake.</summary>
    private static async Task ValidateAsync(AppClient client, BenchData data, Dictionary<Guid, SignedInUser> users, CancellationToken cancellationToken)
    {
        var me = users[data.LoadUsers[0].Uuid];
        var (messages, next) = await client.GetJsonAsync(me, AppClient.MessagesPath(data.ReadGroups[0].Uuid, PageSize), cancellationToken);
        using (messages)
        {
            Expect(messages.RootElement.GetArrayLength() == PageSize && next is not null, $"A answers a full page with a next link (got {messages.RootElement.GetArrayLength()} items, Link {next ?? "none"})");
        }

        var (groups, _) = await client.GetJsonAsync(me, AppClient.MessageGroupsPath(PageSize), cancellationToken);
        using (groups)
        {
            Expect(groups.RootElement.GetArrayLength() == PageSize, $"B answers a full page (got {groups.RootElement.GetArrayLength()} items)");
        }

        static void Expect(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException("Validation failed: " + what);
            }
        }
    }

    private async Task<IEnumerable<ScalingRow>> ScalingAsync(AppClient client, RawDynamoDb raw, BenchData data, string table, CancellationToken cancellationToken)
    {
        var rows = new List<ScalingRow>();
        var owners = await SignInAsync(client, data.ScalingGroupOwners.Select(o => o.User), cancellationToken);
        foreach (var (size, owner) in data.ScalingGroupOwners)
        {
            var user = owners[owner.Uuid];
            var (page, _) = await client.GetJsonAsync(user, AppClient.MessageGroupsPath(PageSize), cancellationToken);
            var items = page.RootElement.GetArrayLength();
            page.Dispose();
            var app = await SequentialAsync(() => client.GetAsync(user, AppClient.MessageGroupsPath(PageSize), cancellationToken));
            var body = RawDynamoDb.QueryBody(table, null, MessageTableKeys.Pk, MessageTableKeys.GroupRowPk(owner.Uuid), LoadTargets.GroupsQueryLimit);
            var rawResult = await SequentialAsync(() => raw.SendAsync(RawDynamoDb.Query, body, cancellationToken));
            rows.Add(new ScalingRow("B", size, items, app.P50Ms, app.P95Ms, double.NaN, rawResult.P50Ms, rawResult.P95Ms, double.NaN));
            Progress($"  B {size,7:N0} groups: app p50 {app.P50Ms:0.00} ms, raw p50 {rawResult.P50Ms:0.00} ms");
        }

        var readers = await SignInAsync(client, [data.ScalingReader], cancellationToken);
        var reader = readers[data.ScalingReader.Uuid];
        foreach (var (size, group) in data.ScalingGroups)
        {
            var (page, _) = await client.GetJsonAsync(reader, AppClient.MessagesPath(group, PageSize), cancellationToken);
            var items = page.RootElement.GetArrayLength();
            page.Dispose();
            var app = await SequentialAsync(() => client.GetAsync(reader, AppClient.MessagesPath(group, PageSize), cancellationToken));
            var body = RawDynamoDb.QueryBody(table, null, MessageTableKeys.Pk, MessageTableKeys.MessagesPk(group), LoadTargets.MessagesQueryLimit);
            var rawResult = await SequentialAsync(() => raw.SendAsync(RawDynamoDb.Query, body, cancellationToken));
            rows.Add(new ScalingRow("A", size, items, app.P50Ms, app.P95Ms, double.NaN, rawResult.P50Ms, rawResult.P95Ms, double.NaN));
            Progress($"  A {size,7:N0} messages: app p50 {app.P50Ms:0.00} ms, raw p50 {rawResult.P50Ms:0.00} ms");
        }

        return rows.GroupBy(row => row.Pattern).SelectMany(group =>
        {
            var smallest = group.MinBy(row => row.Size)!;
            return group.Select(row => row with { AppRatio = row.AppP50Ms / smallest.AppP50Ms, RawRatio = row.RawP50Ms / smallest.RawP50Ms });
        }).ToArray();

        async Task<LoadResult> SequentialAsync(Func<Task<string?>> request)
        {
            for (var i = 0; i < 20; i++)
            {
                await request();
            }

            var ticks = new long[options.ScalingRequests];
            long errors = 0;
            var firstErrors = new List<string>();
            var total = Stopwatch.StartNew();
            for (var i = 0; i < ticks.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var error = await request();
                ticks[i] = Stopwatch.GetTimestamp() - start;
                if (error is not null)
                {
                    errors++;
                    if (firstErrors.Count < 3)
                    {
                        firstErrors.Add(error);
                    }
                }
            }

            Array.Sort(ticks);
            return LoadResult.From(1, ticks, errors, total.Elapsed, firstErrors);
        }
    }

    private static async Task WaitUntilActiveAsync(AmazonDynamoDBClient dynamoDb, string table, bool needStream, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var description = (await dynamoDb.DescribeTableAsync(table, cancellationToken)).Table;
            if (description.TableStatus == TableStatus.ACTIVE
                && (description.GlobalSecondaryIndexes ?? []).All(index => index.IndexStatus == IndexStatus.ACTIVE)
                && (!needStream || description.LatestStreamArn is not null))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException($"Table {table} did not become active{(needStream ? " with a stream" : "")} within 60 s.");
    }

    private static async Task<MachineInfo> DescribeMachineAsync(CancellationToken cancellationToken)
    {
        var java = "Java unknown";
        try
        {
            using var process = Process.Start(new ProcessStartInfo("java", "-version") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            java = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? java;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No java: the launcher will say so.
        }

        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(line => line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            : null;
        return new MachineInfo(
            ProcFs.CpuModel(),
            System.Environment.ProcessorCount,
            Math.Round(ProcFs.MemoryGb()),
            $"{os ?? RuntimeInformation.OSDescription} (kernel {System.Environment.OSVersion.Version})",
            RuntimeInformation.FrameworkDescription.Replace(".NET ", "", StringComparison.Ordinal),
            java,
            ProcFs.LoadAverage(),
            double.NaN);
    }

    /// <summary>Server or workstation GC, as the app's runtimeconfig.json (or a DOTNET_gcServer override) sets it.</summary>
    private static string DescribeGc(string webAppDll, IReadOnlyDictionary<string, string> appEnvironment)
    {
        if (appEnvironment.TryGetValue("DOTNET_gcServer", out var overridden))
        {
            return overridden == "1" ? "server (DOTNET_gcServer=1)" : "workstation (DOTNET_gcServer=0)";
        }

        var runtimeConfig = Path.ChangeExtension(webAppDll, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
        {
            return "unknown";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var server = document.RootElement.TryGetProperty("runtimeOptions", out var runtimeOptions)
            && runtimeOptions.TryGetProperty("configProperties", out var properties)
            && properties.TryGetProperty("System.GC.Server", out var value)
            && value.ValueKind == JsonValueKind.True;
        var concurrent = !(runtimeOptions.TryGetProperty("configProperties", out var props2)
            && props2.TryGetProperty("System.GC.Concurrent", out var concurrentValue)
            && concurrentValue.ValueKind == JsonValueKind.False);
        return (server ? "server" : "workstation") + (concurrent ? ", concurrent" : ", non-concurrent") + " (runtimeconfig.json)";
    }

    private async Task WriteAsync(BenchResults results, string repoRoot, string stamp, CancellationToken cancellationToken)
    {
        var outputDirectory = options.OutputDirectory ?? Path.Combine(repoRoot, "bench", "out");
        Directory.CreateDirectory(outputDirectory);
        var markdown = MarkdownReport.Render(results);
        var jsonPath = Path.Combine(outputDirectory, $"bench-{stamp}{(options.Quick ? "-quick" : "")}.json");
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(results, BenchJsonContext.Default.BenchResults), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "latest.md"), markdown, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken);
        await stdout.WriteAsync(markdown);
        await stdout.FlushAsync(cancellationToken);
        Progress($"wrote {jsonPath} and latest.md");
    }

    internal void Progress(string message) =>
        stderr.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");
}
