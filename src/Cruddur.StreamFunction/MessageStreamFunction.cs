using System.Globalization;
using System.Text.Json;
using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Stream;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cruddur.StreamFunction;

/// <summary>
/// The Lambda entry for pattern E (handler <c>Cruddur.StreamFunction::Cruddur.StreamFunction.MessageStreamFunction::HandleAsync</c>).
/// The runtime creates one instance per process, so the service container is built once, in the constructor, and reused
/// by every invocation. Input and output are streams, so the runtime needs no serializer package: the event is read and
/// the answer written with source-generated System.Text.Json.
/// </summary>
public sealed class MessageStreamFunction : IDisposable
{
    /// <summary>Configuration key: seconds one invocation may spend before it gives up (keep below the function's timeout).</summary>
    public const string TimeBudgetSetting = "StreamFunction:TimeBudgetSeconds";

    private readonly ServiceProvider services;
    private readonly MessageStreamHandler handler;
    private readonly FunctionTelemetry telemetry;
    private readonly TimeSpan timeBudget;

    /// <summary>Reads its settings from the environment (<c>Messaging__TableName</c>, <c>DynamoDb__Region</c>, ...).</summary>
    public MessageStreamFunction()
        : this(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [CruddurSettings.DynamoDbRegion] = Environment.GetEnvironmentVariable("AWS_REGION") })
            .AddEnvironmentVariables()
            .Build())
    {
    }

    internal MessageStreamFunction(IConfiguration configuration)
    {
        var serviceCollection = new ServiceCollection()
            .AddSingleton(configuration)
            .AddLogging(logging => logging
                .SetMinimumLevel(LogLevel.Information)
                .AddJsonConsole(json =>
                {
                    json.UseUtcTimestamp = true;
                    json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                }))
            .AddCruddurDataSources(configuration)
            .AddCruddurMessaging()
            .AddMessageStreamHandler()
            .AddMessageGroupChangeBackplane(configuration); // ConnectionStrings__Redis: the app instances hear what E moved
        FunctionTelemetry.AddFunctionTelemetry(serviceCollection, configuration);
        services = serviceCollection.BuildServiceProvider();
        handler = services.GetRequiredService<MessageStreamHandler>();
        telemetry = services.GetRequiredService<FunctionTelemetry>();
        timeBudget = TimeSpan.FromSeconds(double.Parse(configuration[TimeBudgetSetting] ?? "25", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Handles one batch of the table's stream (the DynamoDB Streams event JSON) and answers
    /// <c>{"batchItemFailures": [{"itemIdentifier": sequence number}]}</c> with the records Lambda should retry.
    /// An event that is not JSON fails the whole invocation (Lambda then bisects and retries).
    /// </summary>
    public async Task<Stream> HandleAsync(Stream input)
    {
        StreamBatchResponse response;
        try
        {
            var streamEvent = await JsonSerializer.DeserializeAsync(input, StreamEventJsonContext.Default.DynamoDbStreamEvent)
                ?? throw new JsonException("The stream event was null.");
            using var budget = new CancellationTokenSource(timeBudget);
            response = await handler.HandleAsync(streamEvent.Records ?? [], budget.Token);
        }
        finally
        {
            // Before the answer: once it is returned, Lambda may freeze the process until the next invocation.
            telemetry.Flush();
        }

        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, response, StreamEventJsonContext.Default.StreamBatchResponse, CancellationToken.None);
        output.Position = 0;
        return output;
    }

    /// <inheritdoc />
    public void Dispose() => services.Dispose();
}
