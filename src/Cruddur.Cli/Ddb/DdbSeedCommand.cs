using System.Diagnostics;
using System.Globalization;
using Cruddur.Cli.Connection;
using Cruddur.Local.Launcher;
using Cruddur.Local.DemoData;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Cruddur.Cli.Ddb;

/// <summary><c>ddb seed</c>: the demo conversation, written in batches of 25 with a progress bar.</summary>
internal sealed class DdbSeedCommand(IAnsiConsole console) : CruddurCommand<ConnectionSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.All;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var written = await SeedAsync(Console, environment, cancellationToken);
        if (written > 0)
        {
            Console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Wrote [green]{written}[/] items of the demo conversation to {environment.TableName} in {stopwatch.Elapsed.TotalSeconds:0.00} s.");
        }
        else
        {
            Console.MarkupLineInterpolated($"The demo conversation is already in [yellow]{environment.TableName}[/]; nothing written.");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Seeds the conversation with a progress display; shared with <c>dev</c>.</summary>
    public static Task<int> SeedAsync(IAnsiConsole console, CommandEnvironment environment, CancellationToken cancellationToken) =>
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("demo conversation", maxValue: DemoSeeder.ConversationItemCount);
                var written = await DemoSeeder.SeedConversationIfEmptyAsync(
                    environment.Services.GetRequiredService<TableGateway>(),
                    environment.Services.GetRequiredService<UserStore>(),
                    environment.Services.GetRequiredService<TimeProvider>(),
                    new Progress(task),
                    cancellationToken);
                task.Value = task.MaxValue;
                return written;
            });

    /// <summary>Moves the bar synchronously: <c>Progress&lt;T&gt;</c> would post to the thread pool and report late.</summary>
    private sealed class Progress(ProgressTask task) : IProgress<int>
    {
        public void Report(int value) => task.Value = value;
    }
}
