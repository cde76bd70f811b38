using System.Net;
using System.Net.Sockets;

namespace Cruddur.Testing;

/// <summary>
/// A loopback TCP forwarder with a stable address, so the app keeps one DynamoDB endpoint while the test stops
/// DynamoDB Local and starts it again (on another port). Also used by the soak run in bench/Cruddur.Soak. While nothing listens behind it, connections are closed at once.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

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
            _ = ForwardAsync(client, TargetPort);
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, stopping.Token)) > 0)
        {
            while (Hung)
            {
                await Task.Delay(20, stopping.Token);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), stopping.Token);
        }
    }

    private async Task ForwardAsync(TcpClient client, int port)
    {
        using (client)
        using (var target = new TcpClient())
        {
            try
            {
                await target.ConnectAsync(IPAddress.Loopback, port, stopping.Token);
                using var clientStream = client.GetStream();
                using var targetStream = target.GetStream();
                await Task.WhenAny(PumpAsync(clientStream, targetStream), PumpAsync(targetStream, clientStream));
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
            {
                // Nothing behind the proxy, or one side went away: the client sees its connection close.
            }
        }
    }
}
