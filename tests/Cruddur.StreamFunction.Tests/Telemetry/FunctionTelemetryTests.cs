using System.Text;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Table;
using Cruddur.Testing;
using Microsoft.Extensions.Configuration;

namespace Cruddur.StreamFunction.Tests.Telemetry;

/// <summary>
/// The function's OTLP export, against a real HTTP receiver: what one invocation recorded has been sent when the
/// invocation returns (Lambda may freeze the process right after), not when a batch timer fires later.
/// </summary>
public sealed class FunctionTelemetryTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_invocation_has_exported_its_spans_and_metrics_when_it_returns()
    {
        await using var receiver = await OtlpReceiver.StartAsync(Token);
        using var function = new MessageStreamFunction(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [CruddurSettings.DynamoDbServiceUrl] = services.DynamoDbServiceUrl.ToString(),
                [$"{MessagingOptions.SectionName}:TableName"] = await services.CreateTableAsync(Token),
                [FunctionTelemetry.OtlpEndpointSetting] = receiver.Endpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            })
            .Build());
        receiver.Received("traces").ShouldBeEmpty();

        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Events", "dynamodb-stream-event.json"));
        await using var output = await function.HandleAsync(input);

        // Protobuf keeps strings as UTF-8 bytes: the span and metric names and the service name are readable in the body.
        var traces = Encoding.UTF8.GetString([.. receiver.Received("traces").SelectMany(body => body)]);
        traces.ShouldContain("E.batch");
        traces.ShouldContain("DynamoDB E.");
        traces.ShouldContain(FunctionTelemetry.ServiceName);
        var metrics = Encoding.UTF8.GetString([.. receiver.Received("metrics").SelectMany(body => body)]);
        metrics.ShouldContain("cruddur.stream.records");
        metrics.ShouldContain("dotnet.gc."); // the runtime's
    }
}
