using System.ComponentModel;
using Cruddur.Local.Launcher;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Table;
using Spectre.Console.Cli;

namespace Cruddur.Cli.Connection;

/// <summary>Where every command connects to. Options win over the environment variables of the same keys.</summary>
internal class ConnectionSettings : CommandSettings
{
    [CommandOption("--dynamodb-url <URL>")]
    [Description("DynamoDB endpoint, e.g. http://127.0.0.1:8000 (DynamoDb__ServiceUrl). Default: the local DynamoDB under .local.")]
    public string? DynamoDbUrl { get; init; }

    [CommandOption("--region <REGION>")]
    [Description("AWS region of the real DynamoDB, with the SDK's credential chain (DynamoDb__Region).")]
    public string? Region { get; init; }

    [CommandOption("--postgres <CONNECTION_STRING>")]
    [Description("PostgreSQL connection string, e.g. RDS (ConnectionStrings__Postgres). Default: the local cluster under .local.")]
    public string? Postgres { get; init; }

    [CommandOption("--table <NAME>")]
    [Description("The messages table (Messaging__TableName). Default: cruddur-messages.")]
    public string? Table { get; init; }

    [CommandOption("--data-dir <DIR>")]
    [Description("Folder of the local services' data (LocalServices__DataDirectory). Default: the repository's .local.")]
    public string? DataDirectory { get; init; }

    /// <summary>The options given on the command line, as configuration keys.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Overrides()
    {
        (string Key, string? Value)[] options =
        [
            (CruddurSettings.DynamoDbServiceUrl, DynamoDbUrl),
            (CruddurSettings.DynamoDbRegion, Region),
            (CruddurSettings.PostgresConnectionString, Postgres),
            ($"{MessagingOptions.SectionName}:{nameof(MessagingOptions.TableName)}", Table),
            ($"{LocalServicesOptions.SectionName}:{nameof(LocalServicesOptions.DataDirectory)}", DataDirectory),
        ];
        return options.Where(option => option.Value is not null).Select(option => KeyValuePair.Create(option.Key, option.Value));
    }
}

/// <summary>Connection options plus <c>--json</c> and the page size, for the commands that print data.</summary>
internal class JsonOutputSettings : ConnectionSettings
{
    [CommandOption("--json")]
    [Description("Print JSON instead of a table.")]
    public bool Json { get; init; }

    [CommandOption("--page-size <N>")]
    [Description("Items per request while paging through everything (1–100). Default: 100.")]
    [DefaultValue(100)]
    public int PageSize { get; init; } = 100;

    public override Spectre.Console.ValidationResult Validate() =>
        PageSize is >= 1 and <= 100
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error("--page-size must be between 1 and 100.");
}
