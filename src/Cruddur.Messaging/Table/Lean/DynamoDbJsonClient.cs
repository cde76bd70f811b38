using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Cruddur.Messaging.Table.Lean;

/// <summary>
/// The lean path for the hot reads (Query, GetItem): the SDK's request written as JSON, posted over one pooled
/// <see cref="HttpClient"/>, signed with SigV4 (<see cref="SigV4Signer"/>) and read straight into the SDK's response. It keeps
/// the SDK client's configuration (endpoint, region, credentials, attempt time-out, retries) and raises the SDK's
/// exception types, so the store gateway's callers cannot tell the two apart except by CPU per call.
/// </summary>
internal sealed class DynamoDbJsonClient : IDisposable
{
    /// <summary>The service name in SigV4 signatures.</summary>
    public const string SigningService = "dynamodb";

    private const string QueryTarget = "DynamoDB_20120810.Query";
    private const string GetItemTarget = "DynamoDB_20120810.GetItem";

    /// <summary>The API version header the SDK's DynamoDB client sends and signs.</summary>
    private const string ApiVersion = "2012-08-10";

    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.0");

    /// <summary>The error codes the SDK's standard retry mode treats as throttling.</summary>
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    /// <summary>The standard mode's back-off: full jitter under 100 ms × 2^retry, at most 20 s.</summary>
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(20);

    private readonly HttpMessageInvoker http;
    private readonly Uri endpoint;
    private readonly RegionEndpoint region;
    private readonly Func<CancellationToken, ValueTask<AWSCredentials>> credentials;
    private readonly SigV4Signer signer;
    private readonly TimeSpan attemptTimeout;
    private readonly int maxAttempts;

    /// <param name="endpoint">DynamoDB's URL.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="credentials">The credentials to sign with (asked on every call, so refreshing credentials refresh).</param>
    /// <param name="attemptTimeout">How long one attempt may take.</param>
    /// <param name="maxErrorRetry">How many times a throttled, failed (5xx) or unanswered attempt is retried.</param>
    /// <param name="handler">The transport; a pooled <see cref="SocketsHttpHandler"/> when null.</param>
    public DynamoDbJsonClient(
        Uri endpoint,
        RegionEndpoint region,
        Func<CancellationToken, ValueTask<AWSCredentials>> credentials,
        TimeSpan attemptTimeout,
        int maxErrorRetry,
        HttpMessageHandler? handler = null)
    {
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        signer = new SigV4Signer(endpoint, region.SystemName, SigningService);
        this.attemptTimeout = attemptTimeout;
        maxAttempts = 1 + Math.Max(0, maxErrorRetry);
        http = new HttpMessageInvoker(
            handler ?? new SocketsHttpHandler
            {
                // Connections are kept and reused; replacing them now and then follows DNS changes of the endpoint.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = attemptTimeout,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
            },
            disposeHandler: true);
    }

    /// <summary>The endpoint calls go to.</summary>
    public Uri Endpoint => endpoint;

    /// <summary>The region calls are signed for.</summary>
    public string Region => region.SystemName;

    /// <summary>
    /// A lean client with the configuration of <paramref name="dynamoDb"/>: its endpoint as the SDK resolves it (the
    /// service URL of DynamoDB Local, else the region's), its authentication region, its time-out and retries. A
    /// service URL is signed with <paramref name="localCredentials"/>; AWS with the client's own credentials or else
    /// the SDK's default chain (environment, profile, container or instance role), resolved once and refreshed by the
    /// SDK when they expire.
    /// </summary>
    public static DynamoDbJsonClient For(IAmazonDynamoDB dynamoDb, AWSCredentials localCredentials, TimeSpan defaultAttemptTimeout)
    {
        ArgumentNullException.ThrowIfNull(dynamoDb);
        var config = dynamoDb.Config;
        var url = new Uri(dynamoDb.DetermineServiceOperationEndpoint(new QueryRequest()).URL);
        var regionName = !string.IsNullOrEmpty(config.AuthenticationRegion) ? config.AuthenticationRegion
            : config.RegionEndpoint?.SystemName ?? RegionFromHost(url) ?? "us-east-1";
        Func<CancellationToken, ValueTask<AWSCredentials>> credentials;
        if (!string.IsNullOrEmpty(config.ServiceURL))
        {
            credentials = _ => ValueTask.FromResult(localCredentials);
        }
        else if (config.DefaultAWSCredentials is { } configured)
        {
            credentials = _ => ValueTask.FromResult(configured);
        }
        else
        {
            var chain = new Lazy<Task<AWSCredentials>>(ResolveChainAsync);
            credentials = _ => new ValueTask<AWSCredentials>(chain.Value);
        }

        return new DynamoDbJsonClient(url, RegionEndpoint.GetBySystemName(regionName), credentials, config.Timeout ?? defaultAttemptTimeout, config.MaxErrorRetry);
    }

    /// <summary>One Query, as the SDK's <see cref="IAmazonDynamoDB.QueryAsync(QueryRequest, CancellationToken)"/> would answer it.</summary>
    public Task<QueryResponse> QueryAsync(QueryRequest request, CancellationToken cancellationToken) =>
        CallAsync(QueryTarget, DynamoDbJson.Write(request, DynamoDbJson.WriteQuery), DynamoDbJson.ReadQueryResponse, cancellationToken);

    /// <summary>One Query, its items read straight from the JSON into <see cref="JsonItem"/>s (no SDK item dictionaries).</summary>
    public Task<ItemsPage> QueryItemsAsync(QueryRequest request, CancellationToken cancellationToken) =>
        CallAsync(QueryTarget, DynamoDbJson.Write(request, DynamoDbJson.WriteQuery), DynamoDbJson.ReadItemsPage, cancellationToken);

    /// <summary>One GetItem, as the SDK's <see cref="IAmazonDynamoDB.GetItemAsync(GetItemRequest, CancellationToken)"/> would answer it.</summary>
    public Task<GetItemResponse> GetItemAsync(GetItemRequest request, CancellationToken cancellationToken) =>
        CallAsync(GetItemTarget, DynamoDbJson.Write(request, DynamoDbJson.WriteGetItem), DynamoDbJson.ReadGetItemResponse, cancellationToken);

    public void Dispose() => http.Dispose();

    private async Task<TResponse> CallAsync<TResponse>(string target, byte[] body, ReadResponse<TResponse> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var attemptBound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptBound.CancelAfter(attemptTimeout);
            try
            {
                using var message = await SignedRequestAsync(target, body, attemptBound.Token);
                using var response = await http.SendAsync(message, attemptBound.Token);
                var (content, length) = await ReadBodyAsync(response.Content, attemptBound.Token);
                try
                {
                    var requestId = response.Headers.NonValidated.TryGetValues("x-amzn-RequestId", out var ids) ? ids.ToString() : null;
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var answer = read(content.AsSpan(0, length));
                        if (answer is AmazonWebServiceResponse sdkResponse)
                        {
                            sdkResponse.HttpStatusCode = response.StatusCode;
                            sdkResponse.ContentLength = length;
                            sdkResponse.ResponseMetadata = new ResponseMetadata { RequestId = requestId };
                        }

                        return answer;
                    }

                    var error = ServiceException(response.StatusCode, content.AsSpan(0, length), requestId);
                    if (attempt >= maxAttempts || !IsRetryable(error))
                    {
                        throw error;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(content);
                }
            }
            catch (OperationCanceledException canceled) when (!cancellationToken.IsCancellationRequested)
            {
                // The attempt's bound ran out: DynamoDB accepted the connection but did not answer in time.
                var timeout = new TimeoutException($"DynamoDB {target} at {endpoint} did not answer within {attemptTimeout.TotalSeconds:0.###} s.", canceled);
                if (attempt >= maxAttempts)
                {
                    throw timeout;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException && attempt < maxAttempts)
            {
                // Refused, reset or cut off: the SDK's standard mode retries transport failures too.
            }

            await Task.Delay(Backoff(attempt), cancellationToken);
        }
    }

    /// <summary>The whole answer in a pooled buffer the caller returns, and its length.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(content.Headers.ContentLength ?? 0, 4096, 1 << 20) + 1);
        var length = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan().CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private async Task<HttpRequestMessage> SignedRequestAsync(string target, byte[] body, CancellationToken cancellationToken)
    {
        var immutable = await (await credentials(cancellationToken)).GetCredentialsAsync();
        var signed = signer.Sign(immutable, body, AmzJson.MediaType!, ApiVersion, target);

        var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
        message.Content.Headers.ContentType = AmzJson;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        message.Headers.TryAddWithoutValidation("X-Amz-Api-Version", ApiVersion);
        message.Headers.TryAddWithoutValidation("X-Amz-Date", signed.AmzDate);
        message.Headers.TryAddWithoutValidation("X-Amz-Content-SHA256", signed.ContentSha256);
        if (signed.SecurityToken is { } token)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        message.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
        return message;
    }

    /// <summary>The SDK's exception for a DynamoDB error answer: its modelled type where the code base catches one.</summary>
    internal static AmazonDynamoDBException ServiceException(HttpStatusCode status, ReadOnlySpan<byte> body, string? requestId)
    {
        var (code, text) = DynamoDbJson.ReadError(body);
        code ??= status.ToString();
        var message = text ?? $"DynamoDB answered {(int)status} ({code}).";
        // The SDK leaves the type unknown for DynamoDB's JSON errors; its classification goes by code and status.
        const ErrorType type = ErrorType.Unknown;
        return code switch
        {
            "ResourceNotFoundException" => new ResourceNotFoundException(message, null, type, code, requestId, status),
            "ProvisionedThroughputExceededException" => new ProvisionedThroughputExceededException(message, null, type, code, requestId, status),
            "RequestLimitExceeded" => new RequestLimitExceededException(message, null, type, code, requestId, status),
            "InternalServerError" => new InternalServerErrorException(message, null, type, code, requestId, status),
            _ => new AmazonDynamoDBException(message, null, type, code, requestId, status),
        };
    }

    private static bool IsRetryable(AmazonServiceException error) =>
        (int)error.StatusCode >= 500 || (error.ErrorCode is { } code && ThrottlingCodes.Contains(code));

    private static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
#pragma warning disable CA5394 // Jitter, not security: spreading retries needs no cryptographic randomness.
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
#pragma warning restore CA5394
    }

    private static string? RegionFromHost(Uri url) =>
        url.Host.Split('.') is [_, var name, "amazonaws", ..] ? name : null;

    private static async Task<AWSCredentials> ResolveChainAsync()
    {
        using var resolver = new DefaultAWSCredentialsIdentityResolver();
        return await resolver.ResolveIdentityAsync(null, CancellationToken.None);
    }

    private delegate TResponse ReadResponse<out TResponse>(ReadOnlySpan<byte> json);
}
