using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cruddur.Messaging.Hosting;

/// <summary>The core library's one entry point.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the messaging core. It takes <c>IAmazonDynamoDB</c>, <c>NpgsqlDataSource</c> and <see cref="TimeProvider"/>
    /// from the container (see <see cref="DataSourceServiceCollectionExtensions.AddCruddurDataSources"/>) and never builds them.
    /// </summary>
    public static IServiceCollection AddCruddurMessaging(this IServiceCollection services)
    {
        services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .Validate(options => options.TableName.Length is >= 3 and <= 255, $"{MessagingOptions.SectionName}:TableName must be 3–255 characters.")
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<Diagnostics.ConsumedCapacityRecorder>();
        services.AddSingleton<Users.UserStore>();
        services.AddSingleton<DirectMessages>();

        // The news of changed groups that the stream handler publishes and the web app's event stream hears.
        services.TryAddSingleton<Stream.MessageGroupChanges>();
        return services;
    }
}
