using Cruddur.Cli.Connection;
using Cruddur.Cli.Db;
using Cruddur.Cli.Ddb;
using Cruddur.Cli.Dev;
using Cruddur.Cli.Streams;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Cruddur.Cli;

/// <summary>The process's exit codes, as <c>--help</c> documents them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Cancelled = 2;
}

/// <summary>The <c>cruddur</c> command tree; <see cref="RunAsync"/> is what <c>Main</c> and the tests call.</summary>
internal static class CruddurCli
{
    public static async Task<int> RunAsync(IAnsiConsole console, string[] args, CancellationToken cancellationToken)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("cruddur");
            config.Settings.Console = console;
            config.PropagateExceptions();
            config.CancellationExitCode(ExitCodes.Cancelled);
            config.SetHelpProvider(new ExitCodesHelpProvider(config.Settings));

            config.AddBranch("ddb", ddb =>
            {
                ddb.SetDescription("The DynamoDB messages table.");
                ddb.AddCommand<DdbSchemaLoadCommand>("schema-load").WithDescription("Create the messages table (keys, GSI, stream) unless it exists.");
                ddb.AddCommand<DdbDropCommand>("drop").WithDescription("Delete the messages table.");
                ddb.AddCommand<ListTablesCommand>("list-tables").WithDescription("List every table of the endpoint.");
                ddb.AddCommand<ScanCommand>("scan").WithDescription("Print every item of the messages table, all pages.");
                ddb.AddCommand<DdbSeedCommand>("seed").WithDescription("Write the demo conversation between the first two demo users (needs `db seed` first).");
                ddb.AddBranch("patterns", patterns =>
                {
                    patterns.SetDescription("Run the access patterns through the core's DirectMessages API.");
                    patterns.AddCommand<ListConversationsCommand>("list-conversations").WithDescription("Pattern B: a user's conversations, newest first.");
                    patterns.AddCommand<GetConversationCommand>("get-conversation").WithDescription("Pattern A: every message of a conversation, oldest first.");
                });
            });
            config.AddBranch("db", db =>
            {
                db.SetDescription("The PostgreSQL users table.");
                db.AddCommand<DbSchemaLoadCommand>("schema-load").WithDescription("Create the users table unless it exists.");
                db.AddCommand<DbSeedCommand>("seed").WithDescription("Insert the demo users that are missing.");
                db.AddCommand<UpdateCognitoUserIdsCommand>("update-cognito-user-ids")
                    .WithDescription("Set users.cognito_user_id from the user pool (preferred_username → sub), asked of the pool (--user-pool-id) or read from `aws cognito-idp list-users` JSON.")
                    .WithExample("db", "update-cognito-user-ids", "--file", "users.json")
                    .WithExample("db", "update-cognito-user-ids", "--user-pool-id", "us-east-1_AbC123");
            });
            config.AddBranch("stream", stream =>
            {
                stream.SetDescription("Pattern E's stream, as the local processor follows it.");
                stream.AddCommand<DeadLettersCommand>("dead-letters")
                    .WithDescription("List the stream records the local processor passed over after its attempts (dead letters); --replay hands them to pattern E again and deletes those it handles.")
                    .WithExample("stream", "dead-letters", "--json")
                    .WithExample("stream", "dead-letters", "--replay");
            });
            config.AddCommand<DevCommand>("dev").WithDescription("Start the local services under .local and a throwaway Redis, load both schemas, seed, print how to connect, and run the stream processor until Ctrl+C.");
        });

        try
        {
            var exitCode = await app.RunAsync(args, cancellationToken);
            // Spectre answers a parse error with -1; the documented code for every failure is 1.
            return exitCode < 0 ? ExitCodes.Error : exitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]Cancelled.[/]");
            return ExitCodes.Cancelled;
        }
        catch (CommandAppException exception)
        {
            if (exception.Pretty is { } pretty)
            {
                console.Write(pretty);
            }
            else
            {
                console.MarkupLineInterpolated($"[red]Error:[/] {exception.Message}");
            }

            return ExitCodes.Error;
        }
        catch (Exception exception)
        {
            // One line for the person at the terminal, never a stack trace.
            console.MarkupLineInterpolated($"[red]Error:[/] {ErrorMessages.Describe(exception)}");
            return ExitCodes.Error;
        }
    }

    /// <summary>Spectre's help with the exit codes and configuration keys added at the end of every page.</summary>
    private sealed class ExitCodesHelpProvider(ICommandAppSettings settings) : HelpProvider(settings)
    {
        public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command) =>
        [
            .. base.GetFooter(model, command),
            new Markup(
                """

                [yellow]EXIT CODES:[/]
                    0    success
                    1    error (a one-line message says what went wrong)
                    2    cancelled (Ctrl+C)

                [yellow]ENVIRONMENT:[/]
                    DynamoDb__ServiceUrl, DynamoDb__Region, ConnectionStrings__Postgres,
                    Messaging__TableName, LocalServices__DataDirectory (options win).
                    Unset endpoints: the local services under the repository's .local,
                    started here or shared with a running `cruddur dev` or web app.

                """),
        ];
    }
}
