using System.Net;
using System.Net.Sockets;

namespace Cruddur.Soak;

/// <summary>A loopback forwarder with a fixed address, so the app keeps its endpoints while a store restarts on another port.</summary>
internal sealed class TcpProxy : IAsyncDisposable
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
                // Nothing behind the proxy (an outage), or one side went away.
            }
        }
    }
}
