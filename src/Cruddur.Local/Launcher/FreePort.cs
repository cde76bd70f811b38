using System.Net;
using System.Net.Sockets;

namespace Cruddur.Local.Launcher;

internal static class FreePort
{
    /// <summary>A loopback port nobody listens on right now (the caller retries if another process takes it first).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
