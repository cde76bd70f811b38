using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Cruddur.Cli.Connection;
using Cruddur.Cli.Ddb;
using Cruddur.Local.Launcher;
using Cruddur.Local.StreamProcessor;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cruddur.Cli.Streams;

internal sealed class DeadLettersSettings : JsonOutputSettings
{
    [CommandOption("--replay")]
    [Description("Hand each dead letter to pattern E's handler again; delete those it handles, keep those that still fail (exit code 1 then).")]
    public bool Replay { get; init; }
}

/// <summary>
/// <c>stream dead-letters</c>: the stream records the local processor passed over after its attempts, and with
/// <c>--replay</c> another go at them once their cause is fixed.
/// </summary>
internal sealed class DeadLettersCommand(IAnsiConsole console) : CruddurCommand<DeadLettersSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.DynamoDb;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, DeadLettersSettings settings, CancellationToken cancellationToken)
    {
        var deadLetters = ActivatorUtilities.CreateInstance<DeadLetters>(environment.Services);
        if (!settings.Replay)
        {
            var letters = await deadLetters.ListAsync(cancellationToken);
            if (settings.Json)
            {
                WriteRaw(JsonSerializer.Serialize(letters, ItemJson.Options));
                return ExitCodes.Ok;
            }

            var table = Columns(new Table());
            foreach (var letter in letters)
            {
                table.AddRow(Cells(letter, letter.Error));
            }

            Console.Write(table);
            Console.MarkupLineInterpolated($"{letters.Count} dead letter(s) in {environment.TableName}.");
            return ExitCodes.Ok;
        }

        var results = await deadLetters.ReplayAsync(cancellationToken);
        var failing = results.Count(result => !result.Replayed);
        if (settings.Json)
        {
            WriteRaw(JsonSerializer.Serialize(results.Select(result => new ReplayJson(result.DeadLetter, result.Replayed, result.Error)), ItemJson.Options));
        }
        else
        {
            var table = Columns(new Table().AddColumn("outcome"));
            foreach (var result in results)
            {
                table.AddRow([result.Replayed ? "[green]replayed[/]" : "[red]still failing[/]", .. Cells(result.DeadLetter, result.Error ?? "")]);
            }

            Console.Write(table);
            Console.MarkupLineInterpolated($"{results.Count - failing} replayed and deleted, {failing} still failing (kept).");
        }

        return failing == 0 ? ExitCodes.Ok : ExitCodes.Error;
    }

    private static Table Columns(Table table) => table
        .AddColumn(new TableColumn("sequence").NoWrap())
        .AddColumn("shard")
        .AddColumn(new TableColumn("kept at").NoWrap())
        .AddColumn("message_group_uuid / message_uuid")
        .AddColumn("error");

    private static string[] Cells(DeadLetter letter, string error) =>
    [
        Markup.Escape(letter.SequenceNumber),
        Markup.Escape(letter.ShardId),
        letter.KeptAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        letter.MessageGroupUuid is { } group ? $"{group:D}\n{letter.MessageUuid:D}" : "[grey](not a message)[/]",
        Markup.Escape(error),
    ];

    private sealed record ReplayJson(DeadLetter DeadLetter, bool Replayed, string? Error);
}
