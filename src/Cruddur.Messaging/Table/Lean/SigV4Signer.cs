using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;

namespace Cruddur.Messaging.Table.Lean;

/// <summary>
/// SigV4 for the lean path's JSON POSTs, whose signed headers are always the same few. The signing key (four HMACs
/// from the secret key) is derived with the SDK's <see cref="AWS4Signer.ComposeSigningKey"/> once per secret key and
/// day and kept; each call then hashes the body and the canonical request and signs with one HMAC.
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
        var date = amzDate[..8];
        var payloadHash = AWSSDKUtils.ToHex(AWS4Signer.ComputeHash(body), true);
        var token = credentials.UseToken ? credentials.Token : null;
        var signedHeaders = token is null
            ? "content-type;host;x-amz-api-version;x-amz-content-sha256;x-amz-date;x-amz-target"
            : "content-type;host;x-amz-api-version;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target";

        var canonical = new StringBuilder(512)
            .Append("POST\n").Append(canonicalPath).Append("\n\n")
            .Append("content-type:").Append(contentType).Append('\n')
            .Append("host:").Append(host).Append('\n')
            .Append("x-amz-api-version:").Append(apiVersion).Append('\n')
            .Append("x-amz-content-sha256:").Append(payloadHash).Append('\n')
            .Append("x-amz-date:").Append(amzDate).Append('\n');
        if (token is not null)
        {
            canonical.Append("x-amz-security-token:").Append(token.Trim()).Append('\n');
        }

        canonical.Append("x-amz-target:").Append(target).Append("\n\n")
            .Append(signedHeaders).Append('\n')
            .Append(payloadHash);

        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{AWSSDKUtils.ToHex(AWS4Signer.ComputeHash(canonical.ToString()), true)}";
        var signature = AWSSDKUtils.ToHex(AWS4Signer.ComputeKeyedHash(SigningAlgorithm.HmacSHA256, SigningKeyFor(credentials.SecretKey, date), stringToSign), true);
        return new(
            amzDate,
            payloadHash,
            token,
            $"{Algorithm} Credential={credentials.AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>The kept key while the secret key and the day are the same, else a new one (rotated credentials, midnight UTC).</summary>
    private byte[] SigningKeyFor(string secretKey, string date)
    {
        var kept = key;
        if (kept is not null && kept.Date == date && string.Equals(kept.SecretKey, secretKey, StringComparison.Ordinal))
        {
            return kept.Key;
        }

        var derived = new SigningKey(secretKey, date, AWS4Signer.ComposeSigningKey(secretKey, region, date, service));
        key = derived;
        return derived.Key;
    }

    private sealed record SigningKey(string SecretKey, string Date, byte[] Key);
}

/// <summary>The headers <see cref="SigV4Signer.Sign"/> adds to a request; <see cref="SecurityToken"/> only for session credentials.</summary>
internal readonly record struct SignedHeaders(string AmzDate, string ContentSha256, string? SecurityToken, string Authorization);
