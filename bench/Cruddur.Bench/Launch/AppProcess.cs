using System.Diagnostics;
using System.Text.RegularExpressions;
using Cruddur.Local.Launcher;

namespace Cruddur.Bench.Launch;

/// <summary>
/// The web app as its own process, as it would run: <c>dotnet Cruddur.Web.dll --urls http://127.0.0.1:0</c>, pointed at
/// the launched services through the environment. Kestrel picks a free port and says which; start time is measured
/// from starting the process to the first answered health check.
/// </summary>
internal sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly OrphanGuard guard;
    private readonly Queue<string> output;

    private AppProcess(Process process, OrphanGuard guard, Queue<string> output, Uri baseAddress, TimeSpan startTime)
    {
        this.process = process;
        this.guard = guard;
        this.output = output;
        BaseAddress = baseAddress;
        StartTime = startTime;
    }

    public Uri BaseAddress { get; }

    /// <summary>From starting the process to the first 200 from <c>/api/health-check</c>.</summary>
    public TimeSpan StartTime { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the app wrote (warnings and errors only at the benchmark's log level).</summary>
    public string RecentOutput
    {
        get
        {
            lock (output)
            {
                return string.Join(Environment.NewLine, output);
            }
        }
    }

    public static async Task<AppProcess> StartAsync(string webAppDll, IReadOnlyDictionary<string, string> environment, HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { webAppDll, "--urls", "http://127.0.0.1:0" },
            // The content root (appsettings, wwwroot) is the working folder.
            WorkingDirectory = Path.GetDirectoryName(webAppDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var output = new Queue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopwatch = Stopwatch.StartNew();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        var guard = OrphanGuard.Watch($"kill -9 {process.Id}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var app = default(AppProcess);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var exited = process.WaitForExitAsync(deadline.Token);
            if (await Task.WhenAny(listening.Task, exited) != listening.Task)
            {
                await exited;
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} before listening:{Environment.NewLine}{Tail(output)}");
            }

            var baseAddress = await listening.Task;
            while (true)
            {
                deadline.Token.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The app exited with code {process.ExitCode} while starting:{Environment.NewLine}{Tail(output)}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(baseAddress, "/api/health-check"), deadline.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        app = new AppProcess(process, guard, output, baseAddress, stopwatch.Elapsed);
                        return app;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not answering yet.
                }

                await Task.Delay(10, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The app did not answer its health check within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Tail(output)}");
        }
        finally
        {
            if (app is null)
            {
                Stop(process);
                guard.Dispose();
                process.Dispose();
            }
        }

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Enqueue(line);
                if (output.Count > 200)
                {
                    output.Dequeue();
                }
            }

            if (ListeningLine().Match(line) is { Success: true } match && Uri.TryCreate(match.Groups["url"].Value, UriKind.Absolute, out var url))
            {
                listening.TrySetResult(url);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // SIGTERM first so the host stops its hosted services as in production; then make sure.
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Stop(process);
            }
        }

        guard.Dispose();
        process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Tail(Queue<string> output)
    {
        lock (output)
        {
            return string.Join(Environment.NewLine, output.TakeLast(60));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
