using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cruddur.Messaging.Hosting;

/// <summary>Builds the DynamoDB client and the PostgreSQL data source from configuration, for hosts to register.</summary>
public static class DataSourceServiceCollectionExtensions
{
    /// <summary>The credentials used for any non-AWS endpoint: DynamoDB Local checks that a signature exists, not what it is.</summary>
    public static readonly AWSCredentials LocalCredentials = new BasicAWSCredentials("local", "local");

    /// <summary>
    /// Registers <see cref="IAmazonDynamoDB"/>, <see cref="NpgsqlDataSource"/> and <see cref="TimeProvider"/> from the
    /// keys in <see cref="CruddurSettings"/>. A service URL means DynamoDB Local (fixed local credentials, region us-east-1
    /// so every client sees the same database); a region alone means AWS with the SDK's credential chain.
    /// </summary>
    public static IServiceCollection AddCruddurDataSources(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IAmazonDynamoDB>(_ => CreateDynamoDbClient(configuration));
        services.AddSingleton(_ => NpgsqlDataSource.Create(
            configuration[CruddurSettings.PostgresConnectionString]
            ?? throw new InvalidOperationException($"{CruddurSettings.PostgresConnectionString} is not set.")));
        return services;
    }

    /// <summary>Creates a DynamoDB client for the configured endpoint (see <see cref="AddCruddurDataSources"/>).</summary>
    public static AmazonDynamoDBClient CreateDynamoDbClient(IConfiguration configuration)
    {
        var serviceUrl = configuration[CruddurSettings.DynamoDbServiceUrl];
        var region = configuration[CruddurSettings.DynamoDbRegion];
        if (!string.IsNullOrWhiteSpace(serviceUrl))
        {
            return new AmazonDynamoDBClient(LocalCredentials, LocalClientConfig(new Uri(serviceUrl), region));
        }

        if (!string.IsNullOrWhiteSpace(region))
        {
            return new AmazonDynamoDBClient(new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(region), Timeout = AttemptTimeout });
        }

        throw new InvalidOperationException($"Neither {CruddurSettings.DynamoDbServiceUrl} nor {CruddurSettings.DynamoDbRegion} is set.");
    }

    /// <summary>
    /// How long one DynamoDB attempt may take. A store that accepts connections but never answers (hung, not refusing)
    /// must become a 503 within seconds, not after the SDK's 100 s default; DynamoDB answers in milliseconds otherwise.
    /// </summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Client settings for a DynamoDB at a URL: short time-outs and one retry, so an unreachable or hung endpoint fails
    /// within about two attempts of <see cref="AttemptTimeout"/>.
    /// </summary>
    public static AmazonDynamoDBConfig LocalClientConfig(Uri serviceUrl, string? region = null) => new()
    {
        ServiceURL = serviceUrl.ToString(),
        AuthenticationRegion = string.IsNullOrWhiteSpace(region) ? "us-east-1" : region,
        Timeout = AttemptTimeout,
        MaxErrorRetry = 1,
    };
}
