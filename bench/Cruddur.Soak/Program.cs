using Cruddur.Soak;

// Soak and fault run (not part of ./test.sh): see Soak.cs. Exit 0 when every check holds, 1 otherwise, 2 on Ctrl+C.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    return await SoakRun.RunAsync(Console.Out, args, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    return 2;
}
