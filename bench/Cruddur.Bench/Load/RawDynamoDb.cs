using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cruddur.Bench.Load;

/// <summary>
/// The cheapest DynamoDB client: request bodies built once, POSTed over one pooled HttpClient with the
/// x-amz-json-1.0 headers and a dummy Authorization header (DynamoDB Local checks only that it exists).
/// </summary>
internal sealed class RawDynamoDb(HttpClient http, Uri serviceUrl)
{
    public const string Query = "DynamoDB_20120810.Query";
    public const string PutItem = "DynamoDB_20120810.PutItem";

    private static readonly MediaTypeHeaderValue AmzJson = MediaTypeHeaderValue.Parse("application/x-amz-json-1.0");

    private static readonly AuthenticationHeaderValue DummyAuthorization = new(
        "AWS4-HMAC-SHA256",
        "Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0");

    /// <summary>Sends a pre-built body; null when DynamoDB answered 200, else its status and error type.</summary>
    public async Task<string?> SendAsync(string target, byte[] body, CancellationToken cancellationToken)
    {
        using var request = Request(target, body);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {Truncate(Encoding.UTF8.GetString(content))}";
    }

    /// <summary>Sends a body and parses the answer; throws when DynamoDB refuses.</summary>
    public async Task<JsonDocument> SendForJsonAsync(string target, byte[] body, CancellationToken cancellationToken)
    {
        using var request = Request(target, body);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"DynamoDB {target}: {(int)response.StatusCode} {Truncate(Encoding.UTF8.GetString(content))}");
        }

        return JsonDocument.Parse(content);
    }

    /// <summary>The headers of a raw request (wrk sends them as they are).</summary>
    public static IReadOnlyDictionary<string, string> Headers(string target) => new Dictionary<string, string>
    {
        ["Content-Type"] = AmzJson.ToString(),
        ["X-Amz-Target"] = target,
        ["Authorization"] = DummyAuthorization.ToString(),
    };

    /// <summary>A Query body as the core builds it: <paramref name="keyName"/> = <paramref name="keyValue"/>, newest first, at most <paramref name="limit"/> items.</summary>
    public static byte[] QueryBody(string tableName, string? indexName, string keyName, string keyValue, int limit) =>
        Json(writer =>
        {
            writer.WriteString("TableName", tableName);
            if (indexName is not null)
            {
                writer.WriteString("IndexName", indexName);
            }

            writer.WriteString("KeyConditionExpression", keyName + " = :k");
            writer.WriteStartObject("ExpressionAttributeValues");
            writer.WriteStartObject(":k");
            writer.WriteString("S", keyValue);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteBoolean("ScanIndexForward", false);
            writer.WriteNumber("Limit", limit);
            writer.WriteString("ReturnConsumedCapacity", "INDEXES");
        });

    /// <summary>A conditional PutItem body (never overwrite), with string attributes only.</summary>
    public static byte[] PutItemBody(string tableName, IEnumerable<KeyValuePair<string, string>> item, string conditionAttribute) =>
        Json(writer =>
        {
            writer.WriteString("TableName", tableName);
            writer.WriteStartObject("Item");
            foreach (var (name, value) in item)
            {
                writer.WriteStartObject(name);
                writer.WriteString("S", value);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteString("ConditionExpression", $"attribute_not_exists({conditionAttribute})");
            writer.WriteString("ReturnConsumedCapacity", "INDEXES");
        });

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300];

    private HttpRequestMessage Request(string target, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, serviceUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = AmzJson;
        request.Headers.Add("X-Amz-Target", target);
        request.Headers.Authorization = DummyAuthorization;
        return request;
    }
}
