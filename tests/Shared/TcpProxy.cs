using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Cruddur.Testing;

/// <summary>
/// A loopback TCP forwarder with a stable address, so the app keeps one DynamoDB endpoint while the test stops
/// DynamoDB Local and starts it again (on another port), and a fault injector: it can refuse (<see cref="Refusing"/>),
/// hang (<see cref="Hung"/>) and cut what is open (<see cref="DropConnections"/>). While nothing listens behind it,
/// connections are closed at once.
/// </summary>
/// <remarks>
/// One source file, compiled into every test project (tests/Directory.Build.props) and linked into bench/Cruddur.Soak:
/// no project references a test project for it, and it stays out of src/ (Cruddur.Local ships inside the web app and the
/// CLI, which have no use for a fault injector).
/// </remarks>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;
    private readonly ConcurrentDictionary<CancellationTokenSource, byte> open = new();

    public TcpProxy(int targetPort)
    {
        TargetPort = targetPort;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public int TargetPort { get; set; }

    /// <summary>While true, connections stay open but no byte moves either way: a hung store, not a refusing one.</summary>
    public bool Hung { get; set; }

    /// <summary>While true, every new connection is reset as soon as it is accepted: a store that refuses, fast.</summary>
    public bool Refusing { get; set; }

    /// <summary>Cuts every connection open now (hung ones too), as a network partition does to a client's pool.</summary>
    public void DropConnections()
    {
        foreach (var connection in open.Keys)
        {
            try
            {
                connection.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Closed on its own meanwhile.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stopping.Token);
            if (Refusing)
            {
                client.LingerState = new LingerOption(enable: true, seconds: 0);
                client.Dispose();
                continue;
            }

            _ = ForwardAsync(client, TargetPort);
        }
    }

    private async Task PumpAsync(Stream from, Stream to, CancellationToken cut)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cut)) > 0)
        {
            while (Hung)
            {
                await Task.Delay(20, cut);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cut);
        }
    }

    private async Task ForwardAsync(TcpClient client, int port)
    {
        using (client)
        using (var target = new TcpClient())
        using (var cut = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token))
        {
            open.TryAdd(cut, 0);
            try
            {
                await target.ConnectAsync(IPAddress.Loopback, port, cut.Token);
                using var clientStream = client.GetStream();
                using var targetStream = target.GetStream();
                await Task.WhenAny(PumpAsync(clientStream, targetStream, cut.Token), PumpAsync(targetStream, clientStream, cut.Token));
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
            {
                // Nothing behind the proxy, one side went away, or the connection was cut: the client sees it close.
            }
            finally
            {
                open.TryRemove(cut, out _);
            }
        }
    }
}
