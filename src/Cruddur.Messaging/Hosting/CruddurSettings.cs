using Microsoft.Extensions.Configuration;

namespace Cruddur.Messaging.Hosting;

/// <summary>The configuration keys every host reads, in one place.</summary>
public static class CruddurSettings
{
    /// <summary>DynamoDB endpoint URL; set it (or a region) to use something other than the local DynamoDB.</summary>
    public const string DynamoDbServiceUrl = "DynamoDb:ServiceUrl";

    /// <summary>AWS region of the real DynamoDB; with no service URL the SDK's credential chain is used.</summary>
    public const string DynamoDbRegion = "DynamoDb:Region";

    /// <summary>PostgreSQL connection string; set it to use RDS or any other server instead of the local cluster.</summary>
    public const string PostgresConnectionString = "ConnectionStrings:Postgres";

    /// <summary>Redis (StackExchange.Redis connection string); set it to share live updates and the post limit across app instances.</summary>
    public const string RedisConnectionString = "ConnectionStrings:Redis";

    /// <summary>True when the configuration names a DynamoDB endpoint or region, so no local one is needed.</summary>
    public static bool HasDynamoDbEndpoint(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[DynamoDbServiceUrl]) || !string.IsNullOrWhiteSpace(configuration[DynamoDbRegion]);
}
