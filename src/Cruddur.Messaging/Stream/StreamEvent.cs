using System.Text.Json.Serialization;
using Amazon.DynamoDBv2.Model;

namespace Cruddur.Messaging.Stream;

/// <summary>
/// The DynamoDB Streams event that Lambda delivers (<c>{"Records": [...]}</c>). Only the fields the handler reads;
/// anything else in the JSON is ignored.
/// </summary>
public sealed record DynamoDbStreamEvent(IReadOnlyList<StreamRecord>? Records);

/// <summary>
/// One stream record, as in Lambda's event and in the Streams API's <c>GetRecords</c> answer (the same shape).
/// </summary>
/// <param name="EventId">The record's id.</param>
/// <param name="EventName"><c>INSERT</c>, <c>MODIFY</c> or <c>REMOVE</c>.</param>
/// <param name="DynamoDb">Keys, images and sequence number.</param>
public sealed record StreamRecord(
    [property: JsonPropertyName("eventID")] string? EventId,
    [property: JsonPropertyName("eventName")] string? EventName,
    [property: JsonPropertyName("dynamodb")] StreamRecordData? DynamoDb)
{
    /// <summary>The record's sequence number (the <c>itemIdentifier</c> of a batch item failure).</summary>
    [JsonIgnore]
    public string SequenceNumber => DynamoDb?.SequenceNumber ?? "";
}

/// <summary>The <c>dynamodb</c> part of a stream record.</summary>
public sealed record StreamRecordData(
    IReadOnlyDictionary<string, StreamAttributeValue>? Keys,
    IReadOnlyDictionary<string, StreamAttributeValue>? NewImage,
    IReadOnlyDictionary<string, StreamAttributeValue>? OldImage,
    string? SequenceNumber);

/// <summary>
/// A DynamoDB JSON attribute value (<c>{"S": "..."}</c>, <c>{"N": "1"}</c>, <c>{"SS": [...]}</c>, <c>{"M": {...}}</c>, ...).
/// </summary>
public sealed record StreamAttributeValue
{
    /// <summary>String.</summary>
    public string? S { get; init; }

    /// <summary>Number, as text.</summary>
    public string? N { get; init; }

    /// <summary>Binary, base64.</summary>
    public string? B { get; init; }

    /// <summary>String set.</summary>
    public IReadOnlyList<string>? SS { get; init; }

    /// <summary>Number set.</summary>
    public IReadOnlyList<string>? NS { get; init; }

    /// <summary>Binary set, base64.</summary>
    public IReadOnlyList<string>? BS { get; init; }

    /// <summary>Map.</summary>
    public IReadOnlyDictionary<string, StreamAttributeValue>? M { get; init; }

    /// <summary>List.</summary>
    public IReadOnlyList<StreamAttributeValue>? L { get; init; }

    /// <summary>Null marker.</summary>
    public bool? NULL { get; init; }

    /// <summary>Boolean.</summary>
    public bool? BOOL { get; init; }

    /// <summary>The same value as the SDK's <see cref="AttributeValue"/>, so the table's item readers apply.</summary>
    public AttributeValue ToAttributeValue() => new()
    {
        S = S,
        N = N,
        B = B is null ? null : new MemoryStream(Convert.FromBase64String(B)),
        SS = SS?.ToList(),
        NS = NS?.ToList(),
        BS = BS?.Select(item => new MemoryStream(Convert.FromBase64String(item))).ToList(),
        M = M is null ? null : ToItem(M),
        L = L?.Select(item => item.ToAttributeValue()).ToList(),
        NULL = NULL,
        BOOL = BOOL,
    };

    /// <summary>An image or key map as an SDK item.</summary>
    public static Dictionary<string, AttributeValue> ToItem(IReadOnlyDictionary<string, StreamAttributeValue> image) =>
        image.ToDictionary(attribute => attribute.Key, attribute => attribute.Value.ToAttributeValue(), StringComparer.Ordinal);

    /// <summary>An SDK item as a stream image (strings, numbers, sets, maps and lists; used to build records).</summary>
    public static Dictionary<string, StreamAttributeValue> FromItem(IReadOnlyDictionary<string, AttributeValue> item) =>
        item.ToDictionary(attribute => attribute.Key, attribute => From(attribute.Value), StringComparer.Ordinal);

    private static StreamAttributeValue From(AttributeValue value) => new()
    {
        S = value.S,
        N = value.N,
        B = value.B is null ? null : Convert.ToBase64String(value.B.ToArray()),
        SS = value.SS,
        NS = value.NS,
        BS = value.BS?.Select(item => Convert.ToBase64String(item.ToArray())).ToList(),
        M = value.M is null ? null : FromItem(value.M),
        L = value.L?.Select(From).ToList(),
        NULL = value.NULL,
        BOOL = value.BOOL,
    };
}

/// <summary>The answer Lambda reads with <c>ReportBatchItemFailures</c>: the records to retry.</summary>
public sealed record StreamBatchResponse(
    [property: JsonPropertyName("batchItemFailures")] IReadOnlyList<BatchItemFailure> BatchItemFailures);

/// <summary>One failed record, identified by its sequence number.</summary>
public sealed record BatchItemFailure([property: JsonPropertyName("itemIdentifier")] string ItemIdentifier);

/// <summary>Source-generated JSON for the stream event and the batch response.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DynamoDbStreamEvent))]
[JsonSerializable(typeof(StreamBatchResponse))]
public sealed partial class StreamEventJsonContext : JsonSerializerContext;
