namespace Cruddur.Bench;

internal static class Program
{
    /// <summary>Exit codes: 0 the run finished (targets are reported, never asserted), 1 it failed, 2 it was cancelled.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        return await BenchCommand.RunAsync(Console.Out, Console.Error, args, cancellation.Token);
    }
}
