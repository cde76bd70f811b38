using Cruddur.Messaging.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cruddur.StreamFunction;

/// <summary>
/// OpenTelemetry for the function: the core's spans (<c>E.batch</c>, <c>E.move_rows</c>, every DynamoDB call), the AWS
/// SDK's HTTP requests, and the core's meter (stream lag, records, capacity) with the runtime's. Exported over OTLP only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the ADOT collector layer, docs/deploy.md). Lambda freezes the process
/// between invocations, so the batching exporters would hold what one invocation recorded until some later one:
/// <see cref="Flush"/> sends it at the end of each.
/// </summary>
internal sealed class FunctionTelemetry(TracerProvider tracing, MeterProvider metrics)
{
    public const string ServiceName = "cruddur-messaging-stream";

    /// <summary>The standard variable that switches the OTLP exporter on.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private const int FlushTimeoutMilliseconds = 5_000;

    /// <summary>Sends what the invocation recorded; an unreachable collector costs at most the timeout, never the batch.</summary>
    public void Flush()
    {
        tracing.ForceFlush(FlushTimeoutMilliseconds);
        metrics.ForceFlush(FlushTimeoutMilliseconds);
    }

    public static IServiceCollection AddFunctionTelemetry(IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            // The default name, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise (the detector comes last, so it wins).
            .ConfigureResource(resource => resource.AddService(ServiceName).AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing
                .AddHttpClientInstrumentation()
                .AddSource(MessagingTelemetry.SourceName))
            .WithMetrics(metrics => metrics
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MessagingTelemetry.MeterName));
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]))
        {
            telemetry.UseOtlpExporter();
        }

        // Without a host nothing starts the providers: resolving them here (once, with the function) builds them.
        return services.AddSingleton(provider => new FunctionTelemetry(
            provider.GetRequiredService<TracerProvider>(),
            provider.GetRequiredService<MeterProvider>()));
    }
}
