using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Unicode;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace Cruddur.Messaging.Table.Lean;

/// <summary>
/// SigV4 for the lean path's JSON POSTs, whose signed headers are always the same few. The signing key (four HMACs
/// from the secret key) is derived with the SDK's <see cref="AWS4Signer.ComposeSigningKey"/> once per secret key and
/// day and kept; each call then hashes the body and the canonical request and signs with one HMAC. The per-call hashes
/// are .NET's one-shot functions over pooled buffers: the SDK's ComputeKeyedHash builds and disposes an HMAC object
/// per call.
/// </summary>
internal sealed class SigV4Signer(Uri endpoint, string region, string service)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    private readonly string host = endpoint.Authority;

    // DynamoDB's endpoint path is "/"; like the SDK's signer, a path is encoded once more for the canonical request.
    private readonly string canonicalPath = string.Join('/', endpoint.AbsolutePath.Split('/').Select(Uri.EscapeDataString));

    // The SDK keeps its clock correction (learned from a skewed answer) per endpoint under this name.
    private readonly string clockEndpoint = new Uri(endpoint.GetLeftPart(UriPartial.Authority)).ToString();

    private SigningKey? key;

    /// <summary>
    /// The headers that sign a POST of <paramref name="body"/> with the given content type, API version and target:
    /// <c>X-Amz-Date</c>, <c>X-Amz-Content-Sha256</c>, <c>X-Amz-Security-Token</c> for session credentials, and
    /// <c>Authorization</c>. The three given headers must be sent as given.
    /// </summary>
    public SignedHeaders Sign(ImmutableCredentials credentials, byte[] body, string contentType, string apiVersion, string target)
    {
        var now = CorrectClockSkew.GetCorrectedUtcNowForEndpoint(clockEndpoint);
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var key = SigningKeyFor(credentials.SecretKey, amzDate.AsSpan(0, 8));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        var payloadHash = Convert.ToHexStringLower(hash);
        var token = credentials.UseToken ? credentials.Token.Trim() : null;
        var signedHeaders = token is null
            ? "content-type;host;x-amz-api-version;x-amz-content-sha256;x-amz-date;x-amz-target"
            : "content-type;host;x-amz-api-version;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target";

        // The canonical request and the string to sign are written as UTF-8 into one pooled buffer and only hashed.
        var buffer = ArrayPool<byte>.Shared.Rent(1024 + (3 * (canonicalPath.Length + host.Length + contentType.Length + apiVersion.Length + target.Length + (token?.Length ?? 0))));
        Span<char> hex = stackalloc char[2 * SHA256.HashSizeInBytes];
        try
        {
            // The buffer is sized for the longest canonical request these headers make: the writes cannot fail.
            Utf8.TryWrite(
                buffer,
                $"POST\n{canonicalPath}\n\ncontent-type:{contentType}\nhost:{host}\nx-amz-api-version:{apiVersion}\nx-amz-content-sha256:{payloadHash}\nx-amz-date:{amzDate}\n",
                out var canonicalLength);
            if (token is not null)
            {
                Utf8.TryWrite(buffer.AsSpan(canonicalLength), $"x-amz-security-token:{token}\n", out var tokenLength);
                canonicalLength += tokenLength;
            }

            Utf8.TryWrite(buffer.AsSpan(canonicalLength), $"x-amz-target:{target}\n\n{signedHeaders}\n{payloadHash}", out var restLength);
            canonicalLength += restLength;
            SHA256.HashData(buffer.AsSpan(0, canonicalLength), hash);
            Convert.TryToHexStringLower(hash, hex, out _);
            Utf8.TryWrite(buffer, $"{Algorithm}\n{amzDate}\n{key.Scope}\n{hex}", out var stringToSignLength);

            HMACSHA256.HashData(key.Key, buffer.AsSpan(0, stringToSignLength), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Convert.TryToHexStringLower(hash, hex, out _);
        return new(
            amzDate,
            payloadHash,
            token,
            $"{Algorithm} Credential={credentials.AccessKey}/{key.Scope}, SignedHeaders={signedHeaders}, Signature={hex}");
    }

    /// <summary>The kept key while the secret key and the day are the same, else a new one (rotated credentials, midnight UTC).</summary>
    private SigningKey SigningKeyFor(string secretKey, ReadOnlySpan<char> date)
    {
        var kept = key;
        if (kept is not null && date.SequenceEqual(kept.Date) && string.Equals(kept.SecretKey, secretKey, StringComparison.Ordinal))
        {
            return kept;
        }

        var day = date.ToString();
        var derived = new SigningKey(secretKey, day, $"{day}/{region}/{service}/aws4_request", AWS4Signer.ComposeSigningKey(secretKey, region, day, service));
        key = derived;
        return derived;
    }

    private sealed record SigningKey(string SecretKey, string Date, string Scope, byte[] Key);
}

/// <summary>The headers <see cref="SigV4Signer.Sign"/> adds to a request; <see cref="SecurityToken"/> only for session credentials.</summary>
internal readonly record struct SignedHeaders(string AmzDate, string ContentSha256, string? SecurityToken, string Authorization);
