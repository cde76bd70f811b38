using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cruddur.Web.Json;

/// <summary>
/// Reads a small JSON request body by hand, so each way it can be wrong gets its own stable error code:
/// wrong content type (415), too large (413), not JSON or wrong types (400), fields not in the contract (400, refused
/// by the serializer itself).
/// </summary>
internal static class JsonBody
{
    /// <summary>The largest body accepted: a 1024-character message in JSON is far below it.</summary>
    public const int MaxBytes = 16 * 1024;

    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType, ApiErrorCodes.ContentTypeUnsupported, "Send the body as application/json."));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= MaxBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                return (null, TooLarge());
            }

            T? body;
            try
            {
                body = JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo);
            }
            catch (JsonException)
            {
                // The serializer refuses unknown fields (JsonUnmappedMemberHandling.Disallow) like any other fault: name them.
                return (null, UnknownFields(buffer.AsSpan(0, length), typeInfo) is { Count: > 0 } unknown
                    ? ApiProblems.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.BodyUnknownField, $"Unknown field(s): {string.Join(", ", unknown)}.")
                    : Malformed());
            }

            return body is null ? (null, Malformed()) : (body, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The top-level field names the contract does not have; none when the body is not readable JSON at all.</summary>
    private static List<string> UnknownFields(ReadOnlySpan<byte> json, JsonTypeInfo typeInfo)
    {
        var known = typeInfo.Properties.Select(property => property.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.GetString() is { } name && !known.Contains(name))
                {
                    unknown.Add(name);
                }
            }
        }
        catch (JsonException)
        {
            return [];
        }

        return unknown;
    }

    private static ProblemHttpResult Malformed() =>
        ApiProblems.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.BodyMalformed, "The body is not a JSON object of the expected shape.");

    private static ProblemHttpResult TooLarge() =>
        ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.BodyTooLarge, $"The body may be at most {MaxBytes} bytes.");
}
