using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cruddur.Local.Launcher;

/// <summary>
/// A throwaway <c>redis-server</c> (Debian's package) on a free loopback port, keeping nothing on disk. Tests stop and
/// start it again on the same port to play an outage.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string executable;
    private readonly TimeSpan startTimeout;
    private Process? process;
    private OrphanGuard? guard;

    private RedisServer(string executable, int port, TimeSpan startTimeout)
    {
        this.executable = executable;
        this.startTimeout = startTimeout;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string (<c>ConnectionStrings:Redis</c>).</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The server's process id while it runs.</summary>
    public int? ProcessId => process is { HasExited: false } running ? running.Id : null;

    /// <summary>Starts a server and waits until it answers PING.</summary>
    public static async Task<RedisServer> StartAsync(LocalServicesOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var executable = ChildProcess.FindOnPath("redis-server")
            ?? throw new LocalServiceException("redis-server was not found on PATH: apt-get install redis-server (./test.sh installs it when run as root).");
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(executable, FreePort.Next(), options.StartTimeout);
            try
            {
                await server.StartProcessAsync(cancellationToken);
                return server;
            }
            catch (LocalServiceException) when (attempt < 3)
            {
                // Most likely another process took the port between probing and binding: try another.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Kills the server at once, as a crash would (for outage tests).</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false } running)
        {
            running.Kill();
            await running.WaitForExitAsync();
        }
    }

    /// <summary>Starts the server again on the same port (empty: it keeps nothing).</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => StartProcessAsync(cancellationToken);

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        guard?.Dispose();
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        await KillAsync();
        process?.Dispose();
        guard?.Dispose();
        var port = Port.ToString(CultureInfo.InvariantCulture);
        process = Process.Start(ChildProcess.StartInfo(executable, ["--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]))
            ?? throw new LocalServiceException("redis-server did not start.");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        guard = OrphanGuard.Watch($"kill -9 {process.Id.ToString(CultureInfo.InvariantCulture)}");

        var stopwatch = Stopwatch.StartNew();
        while (!await AnswersPingAsync(Port, cancellationToken))
        {
            if (process.HasExited || stopwatch.Elapsed > startTimeout)
            {
                string output;
                lock (log)
                {
                    output = log.ToString();
                }

                throw new LocalServiceException($"redis-server did not answer PING on port {port}:{Environment.NewLine}{output}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>True when a Redis server on the loopback <paramref name="port"/> answers PING.</summary>
    internal static async Task<bool> AnswersPingAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
