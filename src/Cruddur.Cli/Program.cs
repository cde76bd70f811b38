using System.Runtime.InteropServices;
using Spectre.Console;

namespace Cruddur.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        // Ctrl+C (and a SIGTERM from a process manager) asks the command to stop cleanly and stop the services it
        // started; a second Ctrl+C is not intercepted and ends the process at once.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await CruddurCli.RunAsync(AnsiConsole.Console, args, cancellation.Token);
    }
}
