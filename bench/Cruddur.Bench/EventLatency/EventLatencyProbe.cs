using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Cruddur.Bench.Launch;
using Cruddur.Local.Launcher;
using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cruddur.Bench.EventLatency;

/// <summary>
/// <c>./bench.sh --event-latency [--posts N]</c>: two app processes and one redis-server with pattern E beside them (as
/// <c>cruddur dev</c> runs it); a user posts through instance 1 and the time until the event arrives on instance 2's
/// <c>/api/events</c> is measured, one post at a time. Then Redis is killed: what becomes of an event published while
/// the instances are cut off, and how long after a restart events arrive again.
/// </summary>
internal static class EventLatencyProbe
{
    private const string PollInterval = "00:00:00.050";

    public static async Task<int> RunAsync(TextWriter stdout, TextWriter stderr, int posts, CancellationToken cancellationToken)
    {
        var webAppDll = BenchRun.Metadata("WebAppDll") ?? throw new InvalidOperationException("The web app's dll is unknown: build with ./bench.sh.");
        await stderr.WriteLineAsync("starting DynamoDB Local, PostgreSQL and redis-server");
        await using var local = await LocalEnvironment.StartAsync(LocalServicesOptions.Throwaway(), LocalServiceKinds.All | LocalServiceKinds.Redis, cancellationToken);
        var settings = new Dictionary<string, string?>(local.Settings)
        {
            ["Messaging:TableName"] = "latency-" + Guid.NewGuid().ToString("N"),
            ["LocalStreamProcessor:PollInterval"] = PollInterval,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning))
            .AddCruddurDataSources(configuration)
            .AddCruddurMessaging()
            .AddLocalStreamProcessor()
            .AddMessageGroupChangeBackplane(configuration)
            .BuildServiceProvider();
        await MessageTableSchema.CreateIfMissingAsync(services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), settings["Messaging:TableName"]!, cancellationToken);
        await UserSchema.CreateIfMissingAsync(services.GetRequiredService<NpgsqlDataSource>(), cancellationToken);
        using var processorStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var processor = Task.Run(() => services.GetRequiredService<LocalStreamProcessor>().RunAsync(processorStop.Token), CancellationToken.None);

        var appEnvironment = settings.ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value!);
        appEnvironment["ASPNETCORE_ENVIRONMENT"] = "Development";
        appEnvironment["LocalRun__StreamProcessor"] = "false";
        appEnvironment["LocalRun__SeedDemoData"] = "false";
        appEnvironment["LocalRun__PrintSignInHelp"] = "false";
        appEnvironment["RateLimiting__Posts__PermitLimit"] = "100000000";
        appEnvironment["Authentication__Development__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        appEnvironment["Logging__LogLevel__Default"] = "Warning";
        appEnvironment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        using var http = new HttpClient();
        await stderr.WriteLineAsync("starting two app instances");
        await using var one = await AppProcess.StartAsync(webAppDll, appEnvironment, http, TimeSpan.FromSeconds(120), cancellationToken);
        await using var two = await AppProcess.StartAsync(webAppDll, appEnvironment, http, TimeSpan.FromSeconds(120), cancellationToken);

        var (bobToken, _) = await SignInAsync(one.BaseAddress, "bob" + RandomNumberGenerator.GetHexString(8).ToLowerInvariant(), cancellationToken);
        var (aliceToken, aliceHandle) = await SignInAsync(one.BaseAddress, "alice" + RandomNumberGenerator.GetHexString(8).ToLowerInvariant(), cancellationToken);
        using var bob = Client(one.BaseAddress, bobToken);
        using var alice = Client(two.BaseAddress, aliceToken);
        using var stopListening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = Channel.CreateUnbounded<long>();
        var listener = ListenAsync(alice, events.Writer, stopListening.Token);
        await events.Reader.ReadAsync(cancellationToken); // connected

        using var first = await bob.PostAsJsonAsync("/api/messages", new { message = "hello", handle = aliceHandle }, cancellationToken);
        var group = (await first.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("message_group_uuid").GetGuid();
        await NextEventAsync(events.Reader, TimeSpan.FromSeconds(30), cancellationToken);

        await stderr.WriteLineAsync($"measuring {posts} posts (after 10 to warm up)");
        var latencies = new List<double>();
        for (var i = -10; i < posts; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await bob.PostAsJsonAsync("/api/messages", new { message = $"post {i}", message_group_uuid = group }, cancellationToken);
            response.EnsureSuccessStatusCode();
            var heard = await NextEventAsync(events.Reader, TimeSpan.FromSeconds(10), cancellationToken) ?? throw new TimeoutException($"post {i}: no event on instance 2 within 10 s");
            if (i >= 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent, heard).TotalMilliseconds);
            }
        }

        latencies.Sort();
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Event latency, post through instance 1 -> event on instance 2 ({latencies.Count} posts, stream poll interval {PollInterval}): p50 {Percentile(latencies, 0.50):0.0} ms, p90 {Percentile(latencies, 0.90):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms"));

        // An outage: the post succeeds, its event is published while the instances are cut off from Redis.
        await local.Redis!.KillAsync();
        using (var during = await bob.PostAsJsonAsync("/api/messages", new { message = "during the outage", message_group_uuid = group }, cancellationToken))
        {
            await stdout.WriteLineAsync($"Redis killed: the post answered {(int)during.StatusCode}");
        }

        var lost = await NextEventAsync(events.Reader, TimeSpan.FromSeconds(5), cancellationToken) is null;
        await stdout.WriteLineAsync(lost ? "The event of the post during the outage never reached instance 2 (lost; the UI re-reads on reconnect)." : "The event of the post during the outage reached instance 2.");
        var restarted = Stopwatch.GetTimestamp();
        await local.Redis.RestartAsync(cancellationToken);
        long? back = null;
        while (back is null && Stopwatch.GetElapsedTime(restarted) < TimeSpan.FromSeconds(60))
        {
            using var after = await bob.PostAsJsonAsync("/api/messages", new { message = "after the restart", message_group_uuid = group }, cancellationToken);
            back = await NextEventAsync(events.Reader, TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        await stdout.WriteLineAsync(back is { } resumed
            ? string.Create(CultureInfo.InvariantCulture, $"Redis restarted on the same port: events reached instance 2 again {Stopwatch.GetElapsedTime(restarted, resumed).TotalSeconds:0.0} s later, on the same open stream.")
            : "Redis restarted: no event reached instance 2 within 60 s.");

        await stopListening.CancelAsync();
        await processorStop.CancelAsync();
        await Task.WhenAll(listener, processor.ContinueWith(_ => { }, TaskScheduler.Default));
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static HttpClient Client(Uri baseAddress, string token)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(string Token, string Handle)> SignInAsync(Uri baseAddress, string handle, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        using var response = await client.PostAsJsonAsync("/api/dev/sign-in", new { handle, display_name = handle }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return (json.GetProperty("access_token").GetString()!, handle);
    }

    /// <summary>Writes the arrival time of every event (the opening <c>connected</c> one too) until cancelled.</summary>
    private static async Task ListenAsync(HttpClient client, ChannelWriter<long> arrivals, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("data: {", StringComparison.Ordinal) || line == "event: connected")
                {
                    arrivals.TryWrite(Stopwatch.GetTimestamp());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        finally
        {
            arrivals.TryComplete();
        }
    }

    private static async Task<long?> NextEventAsync(ChannelReader<long> arrivals, TimeSpan patience, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(patience);
        try
        {
            return await arrivals.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
