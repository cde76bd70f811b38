using System.Diagnostics;
using System.Net.Sockets;

namespace Cruddur.Testing;

/// <summary>Checks that tests use to see whether a started service is really gone.</summary>
public static class ProcessProbe
{
    /// <summary>True while the process with this id runs.</summary>
    public static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>True when something accepts TCP connections on this loopback port.</summary>
    public static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
