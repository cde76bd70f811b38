using System.Diagnostics;

namespace Cruddur.Local.Launcher;

/// <summary>
/// A detached shell that waits for this process to end and then runs a clean-up command, so that a
/// crashed or killed test host or app never leaves java or postgres behind. A normal stop disarms it.
/// </summary>
internal sealed class OrphanGuard : IDisposable
{
    private readonly Process process;

    private OrphanGuard(Process process) => this.process = process;

    public static OrphanGuard Watch(string cleanupCommand)
    {
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {cleanupCommand}";
        var info = new ProcessStartInfo("setsid") { ArgumentList = { "bash", "-c", script }, UseShellExecute = false };
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return new OrphanGuard(Process.Start(info) ?? throw new LocalServiceException("could not start setsid/bash for the clean-up guard"));
    }

    public void Dispose()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.Dispose();
    }
}
