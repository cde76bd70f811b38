using Cruddur.Local.Launcher;

namespace Cruddur.Bench;

/// <summary>Parses the arguments and runs the benchmark; progress goes to stderr, the results table to stdout.</summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(TextWriter stdout, TextWriter stderr, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            await stdout.WriteLineAsync(BenchOptions.Usage);
            return 0;
        }

        if (args is ["--analyse-trace", var trace])
        {
            // Re-reads a CPU profile that a run saved, without running anything.
            var results = new Reporting.BenchResults
            {
                Command = "",
                StartedAt = DateTimeOffset.UtcNow,
                Machine = new("", 0, 0, "", "", "", 0, 0),
                Settings = new(false, [], 0, 0, 0, 0, "", new Dictionary<string, string>()),
            };
            results.Profiles.Add(Profiling.CpuSampler.Analyse(Path.GetFileNameWithoutExtension(trace), trace));
            await stdout.WriteAsync(Reporting.MarkdownReport.RenderProfilesOnly(results));
            return 0;
        }

        if (args.Count > 0 && args[0] == "--event-latency")
        {
            // Two app instances and Redis: post -> event on the other instance (issue 12), reported, never asserted.
            var posts = args is [_, "--posts", var count] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 200;
            return await EventLatency.EventLatencyProbe.RunAsync(stdout, stderr, posts, cancellationToken);
        }

        var (options, error) = BenchOptions.Parse(args);
        if (options is null)
        {
            await stderr.WriteLineAsync(error);
            await stderr.WriteLineAsync(BenchOptions.Usage);
            return 1;
        }

        try
        {
            var run = new BenchRun(options, args, stdout, stderr);
            await run.RunAsync(cancellationToken);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("Cancelled.");
            return 2;
        }
        catch (Exception exception) when (exception is InvalidOperationException or LocalServiceException or IOException or Amazon.Runtime.AmazonServiceException or Npgsql.NpgsqlException or HttpRequestException)
        {
            await stderr.WriteLineAsync($"The benchmark failed: {exception}");
            return 1;
        }
    }
}
