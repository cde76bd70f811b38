using Cruddur.Messaging.Hosting;

namespace Cruddur.Web.Hosting;

/// <summary>
/// Where the stores are (<c>DynamoDb:ServiceUrl</c> or <c>DynamoDb:Region</c>, and <c>ConnectionStrings:Postgres</c>).
/// Required at start: in Development the local services fill in what is unset, elsewhere nothing does.
/// </summary>
internal sealed class StoreSettings
{
    public DynamoDbStoreSettings DynamoDb { get; set; } = new();

    public PostgresStoreSettings ConnectionStrings { get; set; } = new();
}

/// <summary>The <c>DynamoDb</c> section.</summary>
internal sealed class DynamoDbStoreSettings
{
    public string? ServiceUrl { get; set; }

    public string? Region { get; set; }
}

/// <summary>The <c>ConnectionStrings</c> section.</summary>
internal sealed class PostgresStoreSettings
{
    public string? Postgres { get; set; }
}

internal static class StoreSettingsExtensions
{
    /// <summary>Checks at start that both stores are configured, naming the missing key (the core reads the same keys).</summary>
    public static IServiceCollection AddStoreSettings(this IServiceCollection services)
    {
        services.AddOptions<StoreSettings>()
            .Configure<IConfiguration>((settings, configuration) => configuration.Bind(settings))
            .Validate(
                settings => !string.IsNullOrWhiteSpace(settings.DynamoDb.ServiceUrl) || !string.IsNullOrWhiteSpace(settings.DynamoDb.Region),
                $"{CruddurSettings.DynamoDbServiceUrl} or {CruddurSettings.DynamoDbRegion} is not set.")
            .Validate(
                settings => !string.IsNullOrWhiteSpace(settings.ConnectionStrings.Postgres),
                $"{CruddurSettings.PostgresConnectionString} is not set.")
            .ValidateOnStart();
        return services;
    }
}
