using System.Diagnostics;
using Cruddur.Messaging.Hosting;
using Cruddur.Local.Launcher;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Cruddur.Cli.Tests;

/// <summary>The web app's <c>dotnet run</c> and <c>cruddur</c> commands share one set of services on one data folder.</summary>
public sealed class SharedServicesTests
{
    [Fact]
    public async Task A_second_start_on_the_same_data_folder_reuses_the_services_and_leaves_them_running()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dataDirectory = NewDataDirectory();
        try
        {
            var configuration = Configuration(dataDirectory);
            await using var first = await LocalEnvironment.StartForAsync(configuration, cancellationToken);
            first.DynamoDb.ShouldNotBeNull();
            first.Postgres.ShouldNotBeNull();
            File.ReadAllText(Path.Combine(dataDirectory, "services.json")).ShouldContain(first.DynamoDb.ServiceUrl.ToString());

            await using (var second = await LocalEnvironment.StartForAsync(configuration, cancellationToken))
            {
                second.DynamoDb.ShouldBeNull();
                second.Postgres.ShouldBeNull();
                second.SharedDynamoDbOwner.ShouldBe(Environment.ProcessId);
                second.Settings.ShouldBe(first.Settings, ignoreOrder: true);
            }

            ProcessProbe.IsRunning(first.DynamoDb.ProcessId).ShouldBeTrue();
            (await ProcessProbe.AcceptsConnectionsAsync(first.DynamoDb.ServiceUrl.Port)).ShouldBeTrue();
            await using var connection = new NpgsqlConnection(first.Postgres.ConnectionString);
            await connection.OpenAsync(cancellationToken);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_cli_command_uses_the_running_services_and_the_owner_stops_them_and_clears_the_record()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dataDirectory = NewDataDirectory();
        try
        {
            var owner = await LocalEnvironment.StartForAsync(Configuration(dataDirectory), cancellationToken);
            var javaId = owner.DynamoDb!.ProcessId;

            var schemaLoad = await CliRun.RawAsync(["ddb", "schema-load", "--data-dir", dataDirectory, "--table", "shared-table"]);
            var listTables = await CliRun.RawAsync(["ddb", "list-tables", "--data-dir", dataDirectory]);
            var dbSchemaLoad = await CliRun.RawAsync(["db", "schema-load", "--data-dir", dataDirectory]);

            schemaLoad.ExitCode.ShouldBe(0, schemaLoad.Output);
            schemaLoad.Output.ShouldContain($"Using the DynamoDB Local of process {Environment.ProcessId} at {owner.DynamoDb.ServiceUrl}");
            listTables.Output.ShouldContain("shared-table");
            dbSchemaLoad.ExitCode.ShouldBe(0, dbSchemaLoad.Output);
            dbSchemaLoad.Output.ShouldContain($"Using the PostgreSQL of process {Environment.ProcessId}");
            ProcessProbe.IsRunning(javaId).ShouldBeTrue();

            await owner.DisposeAsync();

            ProcessProbe.IsRunning(javaId).ShouldBeFalse();
            File.Exists(Path.Combine(dataDirectory, "services.json")).ShouldBeFalse();
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_record_whose_owner_is_gone_is_ignored_and_replaced()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dataDirectory = NewDataDirectory();
        try
        {
            // A process id that is not running, and endpoints that do not answer: as after a crash.
            using var gone = Process.Start(new ProcessStartInfo("true"))!;
            await gone.WaitForExitAsync(cancellationToken);
            await File.WriteAllTextAsync(
                Path.Combine(dataDirectory, "services.json"),
                $$$"""{"DynamoDb":{"OwnerPid":{{{gone.Id}}},"Address":"http://127.0.0.1:1/"}}""",
                cancellationToken);

            await using var environment = await LocalEnvironment.StartForAsync(Configuration(dataDirectory, postgres: false), LocalServiceKinds.DynamoDb, cancellationToken);

            environment.DynamoDb.ShouldNotBeNull();
            environment.SharedDynamoDbOwner.ShouldBeNull();
            File.ReadAllText(Path.Combine(dataDirectory, "services.json")).ShouldContain(environment.DynamoDb.ServiceUrl.ToString());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static IConfiguration Configuration(string dataDirectory, bool postgres = true) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{LocalServicesOptions.SectionName}:{nameof(LocalServicesOptions.DataDirectory)}"] = dataDirectory,
            [$"{LocalServicesOptions.SectionName}:{nameof(LocalServicesOptions.UnsafeFastPostgres)}"] = "true",
            [CruddurSettings.PostgresConnectionString] = postgres ? null : "Host=127.0.0.1;Port=1",
        }).Build();

    private static string NewDataDirectory()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("cruddur-shared-").FullName;
        // Like a checkout's .local folder: readable by others, so the postgres user can reach its cluster.
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101);
        return dataDirectory;
    }
}
