using System.Runtime.CompilerServices;
using Cruddur.Messaging.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cruddur.Web.Telemetry;

/// <summary>
/// OpenTelemetry traces (requests, outgoing HTTP including the AWS SDK's calls, the core's DynamoDB and stream spans) and
/// metrics (requests, the core's capacity and stream meter, the runtime), collected only where they leave the process:
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter then reads the other <c>OTEL_*</c> settings itself,
/// docs/deploy.md), or when <c>Telemetry:Collect</c> is true (an exporter added in process, as the tests do). Collecting
/// spans and metrics nobody exports cost the hot path about a tenth of its CPU (bench/RESULTS.md).
/// </summary>
internal static class TelemetrySetup
{
    public const string ServiceName = "cruddur-messaging-web";

    /// <summary>The standard variable that switches the OTLP exporter on (the ADOT collector's address in AWS).</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Npgsql's own activity source (all that the Npgsql.OpenTelemetry package's AddNpgsql adds): the user look-ups.</summary>
    public const string PostgresSourceName = "Npgsql";

    /// <summary>Collect even without an OTLP endpoint (for an exporter registered in process).</summary>
    public const string CollectSetting = "Telemetry:Collect";

    public static WebApplicationBuilder AddCruddurTelemetry(this WebApplicationBuilder builder)
    {
        var export = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]);
        if (export || builder.Configuration.GetValue<bool>(CollectSetting))
        {
            AddOpenTelemetry(builder.Services, export);
        }

        return builder;
    }

    // Its own method, so that an instance that collects nothing never loads the OpenTelemetry assemblies (start, memory).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddOpenTelemetry(IServiceCollection services, bool export)
    {
        var telemetry = services.AddOpenTelemetry()
            // The default name, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise (the detector comes last, so it wins).
            .ConfigureResource(resource => resource.AddService(ServiceName).AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing
                // The load balancer asks for readiness every few seconds: those requests would drown the real ones.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddSource(MessagingTelemetry.SourceName, PostgresSourceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MessagingTelemetry.MeterName));
        if (export)
        {
            telemetry.UseOtlpExporter();
        }
    }
}
