using Cruddur.Messaging.MessageGroups;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging.Stream;

/// <summary>Registers pattern E's handler, which the Lambda function and the local stream processor both call.</summary>
public static class StreamServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="MessageStreamHandler"/> (after <c>AddCruddurMessaging()</c>; the Lambda function's only need).</summary>
    public static IServiceCollection AddMessageStreamHandler(this IServiceCollection services)
    {
        services.TryAddSingleton<GroupRowMover>();
        services.TryAddSingleton<StreamMetrics>();
        services.TryAddSingleton(static provider => new MessageStreamHandler(
            provider.GetRequiredService<GroupRowMover>(),
            provider.GetRequiredService<StreamMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<MessageGroupChanges>(),
            provider.GetRequiredService<ILogger<MessageStreamHandler>>()));
        return services;
    }
}
