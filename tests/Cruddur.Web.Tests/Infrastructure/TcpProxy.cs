using System.Net;
using System.Net.Sockets;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder with a stable address, so the app keeps one DynamoDB endpoint while the test stops
/// DynamoDB Local and starts it again (on another port). While nothing listens behind it, connections are closed at once.
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

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

    public int TargetPort { get; set; }

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
                await Task.WhenAny(clientStream.CopyToAsync(targetStream, stopping.Token), targetStream.CopyToAsync(clientStream, stopping.Token));
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
            {
                // Nothing behind the proxy, or one side went away: the client sees its connection close.
            }
        }
    }
}
