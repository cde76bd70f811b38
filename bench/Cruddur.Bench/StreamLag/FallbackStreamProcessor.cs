using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Stream;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Bench.StreamLag;

/// <summary>
/// The core's <see cref="LocalStreamProcessor"/> (the code the app hosts in local runs) run inside the benchmark,
/// for an app build that does not register it yet: pattern E's lag can still be measured, labelled as such.
/// </summary>
internal sealed class FallbackStreamProcessor : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task running;

    public FallbackStreamProcessor(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddCruddurDataSources(configuration);
        services.AddCruddurMessaging();
        services.AddLocalStreamProcessor();
        provider = services.BuildServiceProvider();
        var processor = provider.GetRequiredService<LocalStreamProcessor>();
        running = Task.Run(() => processor.RunAsync(stopping.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await provider.DisposeAsync();
        stopping.Dispose();
    }
}
