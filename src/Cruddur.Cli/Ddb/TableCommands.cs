using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Cli.Connection;
using Cruddur.Local.Launcher;
using Cruddur.Messaging.Table;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Cruddur.Cli.Ddb;

/// <summary><c>ddb schema-load</c>: creates the messages table; an existing one is left as it is.</summary>
internal sealed class DdbSchemaLoadCommand(IAnsiConsole console) : CruddurCommand<ConnectionSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.DynamoDb;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var created = await MessageTableSchema.CreateIfMissingAsync(environment.Services.GetRequiredService<IAmazonDynamoDB>(), environment.TableName, cancellationToken);
        if (created)
        {
            Console.MarkupLineInterpolated($"Created table [green]{environment.TableName}[/] (pk/sk, GSI message-group-sk-index, stream NEW_AND_OLD_IMAGES).");
        }
        else
        {
            Console.MarkupLineInterpolated($"Table [yellow]{environment.TableName}[/] already exists; nothing changed.");
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>ddb drop</c>: deletes the messages table.</summary>
internal sealed class DdbDropCommand(IAnsiConsole console) : CruddurCommand<ConnectionSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.DynamoDb;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var dropped = await MessageTableSchema.DropIfExistsAsync(environment.Services.GetRequiredService<IAmazonDynamoDB>(), environment.TableName, cancellationToken);
        if (dropped)
        {
            Console.MarkupLineInterpolated($"Dropped table [green]{environment.TableName}[/].");
        }
        else
        {
            Console.MarkupLineInterpolated($"Table [yellow]{environment.TableName}[/] does not exist; nothing to drop.");
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>ddb list-tables</c>: every table name of the endpoint, all pages.</summary>
internal sealed class ListTablesCommand(IAnsiConsole console) : CruddurCommand<JsonOutputSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.DynamoDb;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, JsonOutputSettings settings, CancellationToken cancellationToken)
    {
        var dynamoDb = environment.Services.GetRequiredService<IAmazonDynamoDB>();
        List<string> names = [];
        string? start = null;
        do
        {
            var page = await dynamoDb.ListTablesAsync(new ListTablesRequest { ExclusiveStartTableName = start, Limit = settings.PageSize }, cancellationToken);
            names.AddRange(page.TableNames ?? []);
            start = page.LastEvaluatedTableName;
        }
        while (start is not null);

        if (settings.Json)
        {
            WriteRaw(System.Text.Json.JsonSerializer.Serialize(names, ItemJson.Options));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumn("table");
        foreach (var name in names)
        {
            table.AddRow(Markup.Escape(name));
        }

        Console.Write(table);
        Console.MarkupLineInterpolated($"{names.Count} table(s).");
        return ExitCodes.Ok;
    }
}

/// <summary><c>ddb scan</c>: every item of the messages table, paged through; the only Scan in the code base.</summary>
internal sealed class ScanCommand(IAnsiConsole console) : CruddurCommand<JsonOutputSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.DynamoDb;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, JsonOutputSettings settings, CancellationToken cancellationToken)
    {
        var items = await environment.Services.GetRequiredService<TableGateway>().ScanAllAsync(settings.PageSize, cancellationToken);

        // Sorted by key so that a conversation's messages and a user's group rows sit together in time order.
        items.Sort(Compare);
        if (settings.Json)
        {
            WriteRaw(ItemJson.Serialize(items));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("pk", "sk", "attributes");
        foreach (var item in items)
        {
            var attributes = item
                .Where(attribute => attribute.Key is not "pk" and not "sk")
                .OrderBy(attribute => attribute.Key, StringComparer.Ordinal)
                .Select(attribute => $"[grey]{Markup.Escape(attribute.Key)}:[/] {Markup.Escape(ItemJson.Text(attribute.Value))}");
            table.AddRow(new Markup(Markup.Escape(Key(item))), new Markup(Markup.Escape(Sort(item))), new Markup(string.Join('\n', attributes)));
        }

        Console.Write(table);
        Console.MarkupLineInterpolated($"{items.Count} item(s) in {environment.TableName}.");
        return ExitCodes.Ok;
    }

    private static int Compare(Dictionary<string, AttributeValue> a, Dictionary<string, AttributeValue> b)
    {
        var byKey = string.CompareOrdinal(Key(a), Key(b));
        return byKey != 0 ? byKey : string.CompareOrdinal(Sort(a), Sort(b));
    }

    private static string Key(Dictionary<string, AttributeValue> item) => item.TryGetValue("pk", out var pk) ? ItemJson.Text(pk) : "";

    private static string Sort(Dictionary<string, AttributeValue> item) => item.TryGetValue("sk", out var sk) ? ItemJson.Text(sk) : "";
}
