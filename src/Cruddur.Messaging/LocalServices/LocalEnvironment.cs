using Cruddur.Messaging.Hosting;
using Microsoft.Extensions.Configuration;

namespace Cruddur.Messaging.LocalServices;

/// <summary>
/// The one way to get a working environment: starts DynamoDB Local and PostgreSQL for whatever the
/// configuration does not point elsewhere, and stops them again on dispose.
/// Shared by <c>dotnet run</c> of the web app, the CLI and the test fixtures.
/// </summary>
public sealed class LocalEnvironment : IAsyncDisposable
{
    private LocalEnvironment(DynamoDbLocal? dynamoDb, PostgresCluster? postgres)
    {
        DynamoDb = dynamoDb;
        Postgres = postgres;
    }

    /// <summary>The local DynamoDB, or null when the configuration names a real endpoint or region.</summary>
    public DynamoDbLocal? DynamoDb { get; }

    /// <summary>The local PostgreSQL cluster, or null when the configuration has a connection string.</summary>
    public PostgresCluster? Postgres { get; }

    /// <summary>
    /// The settings that point the app at the services started here (keys as in <see cref="CruddurSettings"/>);
    /// add them to the configuration before the clients are built.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = DynamoDb?.ServiceUrl.ToString(),
            [CruddurSettings.PostgresConnectionString] = Postgres?.ConnectionString,
        }
        .Where(setting => setting.Value is not null)
        .ToDictionary();

    /// <summary>Starts both services with the given options, whatever the configuration says (tests, the dev command).</summary>
    public static Task<LocalEnvironment> StartAsync(LocalServicesOptions options, CancellationToken cancellationToken) =>
        StartAsync(options, startDynamoDb: true, startPostgres: true, cancellationToken);

    /// <summary>
    /// Starts the services that <paramref name="configuration"/> leaves unconfigured: DynamoDB Local unless
    /// <c>DynamoDb:ServiceUrl</c> or <c>DynamoDb:Region</c> is set, PostgreSQL unless <c>ConnectionStrings:Postgres</c> is set.
    /// </summary>
    public static Task<LocalEnvironment> StartForAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var options = configuration.GetSection(LocalServicesOptions.SectionName).Get<LocalServicesOptions>() ?? new LocalServicesOptions();
        if (options.DataDirectory is null && RepoFiles.FindRoot() is { } root)
        {
            options.DataDirectory = Path.Combine(root, ".local");
        }

        return StartAsync(
            options,
            startDynamoDb: !CruddurSettings.HasDynamoDbEndpoint(configuration),
            startPostgres: string.IsNullOrWhiteSpace(configuration[CruddurSettings.PostgresConnectionString]),
            cancellationToken);
    }

    /// <summary>Stops whatever was started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        if (DynamoDb is not null)
        {
            await DynamoDb.DisposeAsync();
        }
    }

    private static async Task<LocalEnvironment> StartAsync(LocalServicesOptions options, bool startDynamoDb, bool startPostgres, CancellationToken cancellationToken)
    {
        var dynamoDbStart = startDynamoDb
            ? DynamoDbLocal.StartAsync(options, SubFolder(options, "dynamodb"), cancellationToken)
            : Task.FromResult<DynamoDbLocal>(null!);
        var postgresStart = startPostgres
            ? PostgresCluster.StartAsync(options, SubFolder(options, "postgres"), cancellationToken)
            : Task.FromResult<PostgresCluster>(null!);
        try
        {
            await Task.WhenAll(dynamoDbStart, postgresStart);
        }
        catch
        {
            // Stop the one that did start before reporting the one that did not.
            if (dynamoDbStart.IsCompletedSuccessfully && dynamoDbStart.Result is { } dynamoDb)
            {
                await dynamoDb.DisposeAsync();
            }

            if (postgresStart.IsCompletedSuccessfully && postgresStart.Result is { } postgres)
            {
                await postgres.DisposeAsync();
            }

            throw;
        }

        return new LocalEnvironment(dynamoDbStart.Result, postgresStart.Result);
    }

    private static string? SubFolder(LocalServicesOptions options, string name) =>
        options.DataDirectory is null ? null : Path.Combine(Path.GetFullPath(options.DataDirectory), name);
}
