using Cruddur.Messaging.Hosting;
using Microsoft.Extensions.Configuration;

namespace Cruddur.Local.Launcher;

/// <summary>Which local services a host needs.</summary>
[Flags]
public enum LocalServiceKinds
{
    /// <summary>Neither.</summary>
    None = 0,

    /// <summary>DynamoDB Local.</summary>
    DynamoDb = 1,

    /// <summary>The PostgreSQL cluster.</summary>
    Postgres = 2,

    /// <summary>Both.</summary>
    All = DynamoDb | Postgres,

    /// <summary>A throwaway redis-server (only when asked for: one instance needs none).</summary>
    Redis = 4,
}

/// <summary>
/// The one way to get a working environment: starts DynamoDB Local and PostgreSQL for whatever the
/// configuration does not point elsewhere, and stops them again on dispose.
/// Shared by <c>dotnet run</c> of the web app, the CLI and the test fixtures.
/// With a data directory, the running services are recorded in its <c>services.json</c>; another process that
/// finds them alive there uses them instead of starting its own on the same files, and leaves them running.
/// </summary>
public sealed class LocalEnvironment : IAsyncDisposable
{
    private readonly SharedServicesFile.Entry? sharedDynamoDb;
    private readonly SharedServicesFile.Entry? sharedPostgres;
    private readonly string? dataDirectory;

    private LocalEnvironment(DynamoDbLocal? dynamoDb, PostgresCluster? postgres, SharedServicesFile.Entry? sharedDynamoDb, SharedServicesFile.Entry? sharedPostgres, string? dataDirectory, RedisServer? redis = null)
    {
        Redis = redis;
        DynamoDb = dynamoDb;
        Postgres = postgres;
        this.sharedDynamoDb = sharedDynamoDb;
        this.sharedPostgres = sharedPostgres;
        this.dataDirectory = dataDirectory;
    }

    /// <summary>The DynamoDB Local started by this environment; null when configured elsewhere or used from another process.</summary>
    public DynamoDbLocal? DynamoDb { get; }

    /// <summary>The PostgreSQL cluster started by this environment; null when configured elsewhere or used from another process.</summary>
    public PostgresCluster? Postgres { get; }

    /// <summary>The redis-server started by this environment, when <see cref="LocalServiceKinds.Redis"/> was asked for.</summary>
    public RedisServer? Redis { get; }

    /// <summary>The local DynamoDB endpoint in use, started here or by another process; null when none is.</summary>
    public Uri? DynamoDbServiceUrl => DynamoDb?.ServiceUrl ?? (sharedDynamoDb is null ? null : new Uri(sharedDynamoDb.Address));

    /// <summary>The local PostgreSQL connection string in use, started here or by another process; null when none is.</summary>
    public string? PostgresConnectionString => Postgres?.ConnectionString ?? sharedPostgres?.Address;

    /// <summary>The process that started the local DynamoDB this environment uses, when it is another process's.</summary>
    public int? SharedDynamoDbOwner => sharedDynamoDb?.OwnerPid;

    /// <summary>The process that started the local PostgreSQL this environment uses, when it is another process's.</summary>
    public int? SharedPostgresOwner => sharedPostgres?.OwnerPid;

    /// <summary>
    /// The settings that point the app at the local services in use (keys as in <see cref="CruddurSettings"/>);
    /// add them to the configuration before the clients are built.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>
        {
            [CruddurSettings.DynamoDbServiceUrl] = DynamoDbServiceUrl?.ToString(),
            [CruddurSettings.PostgresConnectionString] = PostgresConnectionString,
            [CruddurSettings.RedisConnectionString] = Redis?.ConnectionString,
        }
        .Where(setting => setting.Value is not null)
        .ToDictionary();

    /// <summary>Starts both services with the given options, whatever the configuration says (tests, the dev command).</summary>
    public static Task<LocalEnvironment> StartAsync(LocalServicesOptions options, CancellationToken cancellationToken) =>
        StartAsync(options, LocalServiceKinds.All, cancellationToken);

    /// <summary>
    /// Starts the services that <paramref name="configuration"/> leaves unconfigured: DynamoDB Local unless
    /// <c>DynamoDb:ServiceUrl</c> or <c>DynamoDb:Region</c> is set, PostgreSQL unless <c>ConnectionStrings:Postgres</c> is set.
    /// </summary>
    public static Task<LocalEnvironment> StartForAsync(IConfiguration configuration, CancellationToken cancellationToken) =>
        StartForAsync(configuration, LocalServiceKinds.All, cancellationToken);

    /// <summary>
    /// Like <see cref="StartForAsync(IConfiguration, CancellationToken)"/>, for a host that needs only some of the
    /// services (a DynamoDB-only command need not start PostgreSQL).
    /// </summary>
    public static Task<LocalEnvironment> StartForAsync(IConfiguration configuration, LocalServiceKinds needed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(LocalServicesOptions.SectionName).Get<LocalServicesOptions>() ?? new LocalServicesOptions();
        if (options.DataDirectory is null && RepoFiles.FindRoot() is { } root)
        {
            options.DataDirectory = Path.Combine(root, ".local");
        }

        if (CruddurSettings.HasDynamoDbEndpoint(configuration))
        {
            needed &= ~LocalServiceKinds.DynamoDb;
        }

        if (!string.IsNullOrWhiteSpace(configuration[CruddurSettings.PostgresConnectionString]))
        {
            needed &= ~LocalServiceKinds.Postgres;
        }

        if (!string.IsNullOrWhiteSpace(configuration[CruddurSettings.RedisConnectionString]))
        {
            needed &= ~LocalServiceKinds.Redis;
        }

        return StartAsync(options, needed, cancellationToken);
    }

    /// <summary>Stops whatever this environment started; services used from another process keep running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (dataDirectory is not null && (DynamoDb is not null || Postgres is not null))
        {
            using var file = await SharedServicesFile.LockAsync(dataDirectory, TimeSpan.FromSeconds(30), CancellationToken.None);
            var entries = file.Read();
            file.Write(entries with
            {
                DynamoDb = DynamoDb is not null && entries.DynamoDb?.Address == DynamoDb.ServiceUrl.ToString() ? null : entries.DynamoDb,
                Postgres = Postgres is not null && entries.Postgres?.Address == Postgres.ConnectionString ? null : entries.Postgres,
            });
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (DynamoDb is not null)
        {
            await DynamoDb.DisposeAsync();
        }
    }

    /// <summary>Starts the <paramref name="needed"/> services with the given options, whatever the configuration says.</summary>
    public static async Task<LocalEnvironment> StartAsync(LocalServicesOptions options, LocalServiceKinds needed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DataDirectory is null || needed == LocalServiceKinds.None)
        {
            return await StartOwnAsync(options, needed, shared: null, cancellationToken);
        }

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        using var file = await SharedServicesFile.LockAsync(dataDirectory, options.StartTimeout * 2, cancellationToken);
        var entries = file.Read();
        var sharedDynamoDb = needed.HasFlag(LocalServiceKinds.DynamoDb) ? await SharedServicesFile.AliveDynamoDbAsync(entries.DynamoDb, cancellationToken) : null;
        var sharedPostgres = needed.HasFlag(LocalServiceKinds.Postgres) ? await SharedServicesFile.AlivePostgresAsync(entries.Postgres, cancellationToken) : null;
        if (sharedDynamoDb is not null)
        {
            needed &= ~LocalServiceKinds.DynamoDb;
        }

        if (sharedPostgres is not null)
        {
            needed &= ~LocalServiceKinds.Postgres;
        }

        var environment = await StartOwnAsync(options, needed, (sharedDynamoDb, sharedPostgres, dataDirectory), cancellationToken);
        if (environment.DynamoDb is not null || environment.Postgres is not null)
        {
            file.Write(entries with
            {
                DynamoDb = environment.DynamoDb is { } dynamoDb ? new(Environment.ProcessId, dynamoDb.ServiceUrl.ToString()) : entries.DynamoDb,
                Postgres = environment.Postgres is { } postgres ? new(Environment.ProcessId, postgres.ConnectionString) : entries.Postgres,
            });
        }

        return environment;
    }

    private static async Task<LocalEnvironment> StartOwnAsync(
        LocalServicesOptions options,
        LocalServiceKinds needed,
        (SharedServicesFile.Entry? DynamoDb, SharedServicesFile.Entry? Postgres, string DataDirectory)? shared,
        CancellationToken cancellationToken)
    {
        var dynamoDbStart = needed.HasFlag(LocalServiceKinds.DynamoDb)
            ? DynamoDbLocal.StartAsync(options, SubFolder(options, "dynamodb"), cancellationToken)
            : Task.FromResult<DynamoDbLocal>(null!);
        var postgresStart = needed.HasFlag(LocalServiceKinds.Postgres)
            ? PostgresCluster.StartAsync(options, SubFolder(options, "postgres"), cancellationToken)
            : Task.FromResult<PostgresCluster>(null!);
        var redisStart = needed.HasFlag(LocalServiceKinds.Redis)
            ? RedisServer.StartAsync(options, cancellationToken)
            : Task.FromResult<RedisServer>(null!);
        try
        {
            await Task.WhenAll(dynamoDbStart, postgresStart, redisStart);
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

            if (redisStart.IsCompletedSuccessfully && redisStart.Result is { } redis)
            {
                await redis.DisposeAsync();
            }

            throw;
        }

        return new LocalEnvironment(dynamoDbStart.Result, postgresStart.Result, shared?.DynamoDb, shared?.Postgres, shared?.DataDirectory, redisStart.Result);
    }

    private static string? SubFolder(LocalServicesOptions options, string name) =>
        options.DataDirectory is null ? null : Path.Combine(Path.GetFullPath(options.DataDirectory), name);
}
