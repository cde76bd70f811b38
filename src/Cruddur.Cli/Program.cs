using Spectre.Console;

namespace Cruddur.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C asks the command to stop cleanly (and stop the services it started); a second one kills.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        return await CruddurCli.RunAsync(AnsiConsole.Console, args, cancellation.Token);
    }
}
