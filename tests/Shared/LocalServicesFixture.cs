using Amazon.DynamoDBv2;
using Cruddur.Messaging.Hosting;
using Cruddur.Local.Launcher;
using Cruddur.Messaging.Table;
using Npgsql;

namespace Cruddur.Testing;

/// <summary>
/// The real DynamoDB Local and a throwaway PostgreSQL cluster, started once per test assembly through the
/// same launcher the app uses. Tests isolate themselves with their own table (<see cref="CreateTableAsync"/>)
/// and their own database (<see cref="CreateDatabaseAsync"/>) or users with unique handles.
/// </summary>
public sealed class LocalServicesFixture : IAsyncLifetime
{
    private LocalEnvironment? environment;

    public LocalEnvironment Environment => environment ?? throw new InvalidOperationException("The local services have not started.");

    public Uri DynamoDbServiceUrl => Environment.DynamoDb!.ServiceUrl;

    public string PostgresConnectionString => Environment.Postgres!.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        try
        {
            environment = await LocalEnvironment.StartAsync(LocalServicesOptions.Throwaway(), CancellationToken.None);
        }
        catch (LocalServiceException exception)
        {
            throw new InvalidOperationException($"The local DynamoDB and PostgreSQL for the tests could not start. {exception.Message}", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (environment is not null)
        {
            await environment.DisposeAsync();
        }
    }

    /// <summary>
    /// A new client for the local DynamoDB. The app's clients bound an attempt to a few seconds (a hung store must become
    /// a 503 quickly); a test's own client drives DynamoDB Local while the whole suite loads both cores, where a burst of
    /// 200 posts can wait longer than that without anything being wrong, so it gets the SDK's patience instead.
    /// </summary>
    public AmazonDynamoDBClient CreateDynamoDbClient()
    {
        var config = DataSourceServiceCollectionExtensions.LocalClientConfig(DynamoDbServiceUrl);
        config.Timeout = TimeSpan.FromSeconds(60);
        config.MaxErrorRetry = 2;
        return new(DataSourceServiceCollectionExtensions.LocalCredentials, config);
    }

    /// <summary>A name no other test uses, within DynamoDB's 3–255 characters.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Creates a messages table of this test's own, with the real schema, and returns its name.</summary>
    public async Task<string> CreateTableAsync(CancellationToken cancellationToken)
    {
        var tableName = UniqueName("messages");
        using var client = CreateDynamoDbClient();
        await MessageTableSchema.CreateIfMissingAsync(client, tableName, cancellationToken);
        return tableName;
    }

    /// <summary>Creates an empty database of this test's own in the shared cluster and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(PostgresConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            // CREATE DATABASE takes no parameters; the name is a generated identifier.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }
}
