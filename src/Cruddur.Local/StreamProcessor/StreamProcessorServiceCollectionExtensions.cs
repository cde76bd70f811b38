using Cruddur.Messaging.Stream;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Cruddur.Local.StreamProcessor;

/// <summary>Registers the local processor that feeds pattern E's handler from DynamoDB Local's stream.</summary>
public static class StreamProcessorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="LocalStreamProcessor"/> and a hosted service that runs it while the host runs (after
    /// <c>AddCruddurMessaging()</c>). A host without hosted services (the CLI) resolves the processor and calls
    /// <see cref="LocalStreamProcessor.RunAsync"/> or <see cref="LocalStreamProcessor.CatchUpAsync"/> itself.
    /// </summary>
    public static IServiceCollection AddLocalStreamProcessor(this IServiceCollection services)
    {
        services.AddMessageStreamHandler();
        services.AddOptions<LocalStreamProcessorOptions>()
            .BindConfiguration(LocalStreamProcessorOptions.SectionName)
            .Validate(options => options.PollInterval > TimeSpan.Zero, $"{LocalStreamProcessorOptions.SectionName}:PollInterval must be positive.")
            .Validate(options => options.BatchSize is >= 1 and <= 1000, $"{LocalStreamProcessorOptions.SectionName}:BatchSize must be 1–1000.")
            .Validate(options => options.MaxAttempts >= 1, $"{LocalStreamProcessorOptions.SectionName}:MaxAttempts must be at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton<LocalStreamProcessor>();
        services.TryAddSingleton<DeadLetters>();
        services.AddHostedService<LocalStreamProcessorService>();
        return services;
    }

    /// <summary>Runs the local processor for the life of the host; stopping cancels it between batches.</summary>
    private sealed class LocalStreamProcessorService(LocalStreamProcessor processor) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => processor.RunAsync(stoppingToken);
    }
}
