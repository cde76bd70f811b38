using Amazon.DynamoDBv2;
using Cruddur.Cli.Connection;
using Cruddur.Cli.Ddb;
using Cruddur.Messaging.Hosting;
using Cruddur.Local.Launcher;
using Cruddur.Local.DemoData;
using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Spectre.Console;

namespace Cruddur.Cli.Dev;

/// <summary>
/// <c>dev</c>: the local services (persistent under .local, or shared with a running web app) and a throwaway
/// redis-server, both schemas and the demo data; then runs pattern E on DynamoDB Local's stream, publishing through
/// Redis, until Ctrl+C, and stops what it started. Ctrl+C is its normal end: exit code 0. So several app instances can
/// share one set of local services with <c>LocalRun__StreamProcessor=false</c> and <c>ConnectionStrings__Redis</c>.
/// </summary>
internal sealed class DevCommand(IAnsiConsole console) : CruddurCommand<ConnectionSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.All | LocalServiceKinds.Redis;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var dynamoDb = environment.Services.GetRequiredService<IAmazonDynamoDB>();
        var dataSource = environment.Services.GetRequiredService<NpgsqlDataSource>();
        var tableCreated = await MessageTableSchema.CreateIfMissingAsync(dynamoDb, environment.TableName, cancellationToken);
        var usersCreated = await UserSchema.CreateIfMissingAsync(dataSource, cancellationToken);
        var usersInserted = await DemoSeeder.SeedUsersAsync(dataSource, cancellationToken);
        var itemsWritten = await DdbSeedCommand.SeedAsync(Console, environment, cancellationToken);
        Console.MarkupLineInterpolated($"Table {environment.TableName}: {(tableCreated ? "created" : "already there")}; users table: {(usersCreated ? "created" : "already there")}; {usersInserted} demo user(s) and {itemsWritten} conversation item(s) added.");

        var dynamoDbUrl = environment.Configuration[CruddurSettings.DynamoDbServiceUrl] ?? $"AWS region {environment.Configuration[CruddurSettings.DynamoDbRegion]}";
        var postgres = environment.Configuration[CruddurSettings.PostgresConnectionString] ?? "";
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow("DynamoDB", Markup.Escape(dynamoDbUrl));
        grid.AddRow("PostgreSQL", Markup.Escape(postgres));
        var redis = environment.Configuration[CruddurSettings.RedisConnectionString] ?? "";
        grid.AddRow("Redis", Markup.Escape(redis));
        grid.AddRow("Table", Markup.Escape(environment.TableName));
        grid.AddRow("Demo users", Markup.Escape(string.Join(", ", DemoSeeder.Users.Select(user => "@" + user.Handle))));
        Console.Write(new Panel(grid).Header("Cruddur local services").Expand());

        Console.MarkupLine("Other commands and the web app use these services while this runs (.local/services.json), e.g.:");
        foreach (var example in (string[])[
            "dotnet run --project src/Cruddur.Cli -- ddb scan",
            $"dotnet run --project src/Cruddur.Cli -- ddb patterns list-conversations {DemoSeeder.Users[0].Handle}",
            $"export DynamoDb__ServiceUrl={dynamoDbUrl}",
            $"psql '{PsqlUri(postgres)}'",
            $"ConnectionStrings__Redis={redis} LocalRun__StreamProcessor=false ASPNETCORE_URLS=http://127.0.0.1:5001 dotnet run --project src/Cruddur.Web   (one app instance; another on :5002)",
        ])
        {
            Console.MarkupLineInterpolated($"  [grey]$[/] {example}");
        }

        // Pattern E for every app instance, publishing through Redis, until Ctrl+C.
        await using var processorServices = new ServiceCollection()
            .AddSingleton(environment.Configuration)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddCruddurDataSources(environment.Configuration)
            .AddCruddurMessaging()
            .AddLocalStreamProcessor()
            .AddMessageGroupChangeBackplane(environment.Configuration)
            .BuildServiceProvider();
        Console.MarkupLine("Running the stream processor (pattern E). Press [yellow]Ctrl+C[/] to stop.");
        try
        {
            await processorServices.GetRequiredService<LocalStreamProcessor>().RunAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Console.MarkupLine("Stopping.");
        }

        return ExitCodes.Ok;
    }

    private static string PsqlUri(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
