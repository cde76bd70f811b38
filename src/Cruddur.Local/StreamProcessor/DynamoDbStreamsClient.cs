using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Cruddur.Messaging.Stream;

namespace Cruddur.Local.StreamProcessor;

/// <summary>
/// The few DynamoDB Streams calls the local processor needs, as plain JSON over HTTP to DynamoDB Local (AWSSDK v4 has
/// no Streams client and its separate package is not available). Local only: requests carry a fixed, unchecked
/// signature with the same access key and region as the SDK client, so both see the same database.
/// </summary>
internal sealed class DynamoDbStreamsClient(HttpClient http, Uri serviceUrl, string region)
{
    private readonly string authorization =
        $"AWS4-HMAC-SHA256 Credential=local/20260101/{region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0";

    /// <summary>All shards of a stream (DescribeStream, paged).</summary>
    public async Task<IReadOnlyList<Shard>> DescribeShardsAsync(string streamArn, CancellationToken cancellationToken)
    {
        var shards = new List<Shard>();
        string? start = null;
        do
        {
            var response = await PostAsync(
                "DescribeStream",
                new DescribeStreamRequest(streamArn, start),
                StreamsJsonContext.Default.DescribeStreamRequest,
                StreamsJsonContext.Default.DescribeStreamResponse,
                cancellationToken);
            shards.AddRange(response.StreamDescription?.Shards ?? []);
            start = response.StreamDescription?.LastEvaluatedShardId;
        }
        while (start is not null);

        return shards;
    }

    /// <summary>An iterator after <paramref name="afterSequenceNumber"/>, or at the oldest record when it is null.</summary>
    public async Task<string?> GetShardIteratorAsync(string streamArn, string shardId, string? afterSequenceNumber, CancellationToken cancellationToken)
    {
        var response = await PostAsync(
            "GetShardIterator",
            new GetShardIteratorRequest(streamArn, shardId, afterSequenceNumber is null ? "TRIM_HORIZON" : "AFTER_SEQUENCE_NUMBER", afterSequenceNumber),
            StreamsJsonContext.Default.GetShardIteratorRequest,
            StreamsJsonContext.Default.GetShardIteratorResponse,
            cancellationToken);
        return response.ShardIterator;
    }

    /// <summary>The next records of a shard; <see cref="GetRecordsResponse.NextShardIterator"/> is null once a closed shard is read to its end.</summary>
    public Task<GetRecordsResponse> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken) =>
        PostAsync(
            "GetRecords",
            new GetRecordsRequest(shardIterator, limit),
            StreamsJsonContext.Default.GetRecordsRequest,
            StreamsJsonContext.Default.GetRecordsResponse,
            cancellationToken);

    private async Task<TResponse> PostAsync<TRequest, TResponse>(
        string action,
        TRequest body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, serviceUrl)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", "DynamoDBStreams_20120810." + action);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await http.SendAsync(request, cancellationToken);
        await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await JsonSerializer.DeserializeAsync(content, StreamsJsonContext.Default.StreamsError, cancellationToken);
            var type = error?.Type ?? "";
            throw new StreamsApiException(type[(type.LastIndexOf('#') + 1)..], error?.Message ?? error?.LowerCaseMessage ?? response.ReasonPhrase ?? "", (int)response.StatusCode);
        }

        return await JsonSerializer.DeserializeAsync(content, responseType, cancellationToken)
            ?? throw new StreamsApiException("EmptyResponse", $"{action} answered nothing.", (int)response.StatusCode);
    }
}

/// <summary>An error answer of the Streams API (<c>ResourceNotFoundException</c>, <c>ExpiredIteratorException</c>, <c>TrimmedDataAccessException</c>, ...).</summary>
internal sealed class StreamsApiException(string errorCode, string message, int statusCode) : Exception($"{errorCode}: {message}")
{
    public string ErrorCode { get; } = errorCode;

    public int StatusCode { get; } = statusCode;
}

internal sealed record DescribeStreamRequest(string StreamArn, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExclusiveStartShardId);

internal sealed record DescribeStreamResponse(StreamDescription? StreamDescription);

internal sealed record StreamDescription(string? StreamArn, string? StreamStatus, IReadOnlyList<Shard>? Shards, string? LastEvaluatedShardId);

internal sealed record Shard(string ShardId, string? ParentShardId, SequenceNumberRange? SequenceNumberRange);

internal sealed record SequenceNumberRange(string? StartingSequenceNumber, string? EndingSequenceNumber);

internal sealed record GetShardIteratorRequest(
    string StreamArn,
    string ShardId,
    string ShardIteratorType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SequenceNumber);

internal sealed record GetShardIteratorResponse(string? ShardIterator);

internal sealed record GetRecordsRequest(string ShardIterator, int Limit);

internal sealed record GetRecordsResponse(IReadOnlyList<StreamRecord>? Records, string? NextShardIterator);

internal sealed record StreamsError(
    [property: JsonPropertyName("__type")] string? Type,
    string? Message,
    [property: JsonPropertyName("message")] string? LowerCaseMessage);

[JsonSerializable(typeof(DescribeStreamRequest))]
[JsonSerializable(typeof(DescribeStreamResponse))]
[JsonSerializable(typeof(GetShardIteratorRequest))]
[JsonSerializable(typeof(GetShardIteratorResponse))]
[JsonSerializable(typeof(GetRecordsRequest))]
[JsonSerializable(typeof(GetRecordsResponse))]
[JsonSerializable(typeof(StreamsError))]
internal sealed partial class StreamsJsonContext : JsonSerializerContext;
