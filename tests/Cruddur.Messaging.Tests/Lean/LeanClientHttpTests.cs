using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Table.Lean;

namespace Cruddur.Messaging.Tests.Lean;

/// <summary>
/// How the lean path talks HTTP: what it retries and what not, how a store that does not answer surfaces, and that its
/// requests are signed as the SDK signs. The answers here come from a stub transport (the one place a stub is right:
/// DynamoDB Local cannot be made to fail on cue, and it does not check signatures); the answers themselves are checked
/// against the SDK in <see cref="LeanQueryEquivalenceTests"/>.
/// </summary>
public sealed class LeanClientHttpTests
{
    private const string EmptyAnswer = """{"Count":0,"Items":[],"ScannedCount":0}""";

    private static readonly Uri AwsEndpoint = new("https://dynamodb.eu-west-2.amazonaws.com/");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "InternalServerError")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable")]
    [InlineData(HttpStatusCode.BadRequest, "ProvisionedThroughputExceededException")]
    [InlineData(HttpStatusCode.BadRequest, "ThrottlingException")]
    [InlineData(HttpStatusCode.BadRequest, "RequestLimitExceeded")]
    public async Task A_5xx_or_throttled_answer_is_retried(HttpStatusCode status, string code)
    {
        var stub = new StubTransport(Error(status, code), Ok(EmptyAnswer));
        using var lean = Client(stub, maxErrorRetry: 1);

        var response = await lean.QueryAsync(new QueryRequest { TableName = "table" }, Token);

        response.Count.ShouldBe(0);
        stub.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_validation_error_is_not_retried_and_is_the_SDKs_exception()
    {
        var stub = new StubTransport(Error(HttpStatusCode.BadRequest, "ValidationException", "One or more parameter values were invalid"), Ok(EmptyAnswer));
        using var lean = Client(stub, maxErrorRetry: 3);

        var error = await Should.ThrowAsync<AmazonDynamoDBException>(() => lean.QueryAsync(new QueryRequest { TableName = "table" }, Token));

        stub.Requests.Count.ShouldBe(1);
        error.ErrorCode.ShouldBe("ValidationException");
        error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        error.Message.ShouldBe("One or more parameter values were invalid");
        StoreFailures.IsTransient(error).ShouldBeFalse();
    }

    [Fact]
    public async Task Attempts_are_one_plus_MaxErrorRetry_then_the_last_failure_is_raised_as_the_SDKs_type()
    {
        var stub = new StubTransport(Error(HttpStatusCode.BadRequest, "ProvisionedThroughputExceededException"));
        using var lean = Client(stub, maxErrorRetry: 2);

        var error = await Should.ThrowAsync<ProvisionedThroughputExceededException>(() => lean.QueryAsync(new QueryRequest { TableName = "table" }, Token));

        stub.Requests.Count.ShouldBe(3);
        error.ErrorCode.ShouldBe("ProvisionedThroughputExceededException");
        StoreFailures.IsTransient(error).ShouldBeTrue();
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_a_TimeoutException_after_every_attempt()
    {
        var stub = new StubTransport(hang: true);
        using var lean = Client(stub, maxErrorRetry: 1, attemptTimeout: TimeSpan.FromMilliseconds(200));

        var error = await Should.ThrowAsync<TimeoutException>(() => lean.QueryAsync(new QueryRequest { TableName = "table" }, Token));

        stub.Requests.Count.ShouldBe(2);
        StoreFailures.IsUnreachable(error).ShouldBeTrue();
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_an_HttpRequestException()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var lean = new DynamoDbJsonClient(
            new Uri($"http://127.0.0.1:{port}/"), RegionEndpoint.USEast1, _ => ValueTask.FromResult<AWSCredentials>(new BasicAWSCredentials("local", "local")), TimeSpan.FromSeconds(3), 1);

        var error = await Should.ThrowAsync<HttpRequestException>(() => lean.QueryAsync(new QueryRequest { TableName = "table" }, Token));

        StoreFailures.IsUnreachable(error).ShouldBeTrue();
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_a_timeout()
    {
        var stub = new StubTransport(hang: true);
        using var lean = Client(stub, maxErrorRetry: 1, attemptTimeout: TimeSpan.FromMinutes(1));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        await Should.ThrowAsync<OperationCanceledException>(() => lean.QueryAsync(new QueryRequest { TableName = "table" }, cancel.Token));

        stub.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_request_carries_the_target_content_type_and_the_written_query()
    {
        var stub = new StubTransport(Ok(EmptyAnswer));
        using var lean = Client(stub);

        await lean.QueryAsync(
            new QueryRequest
            {
                TableName = "messages",
                IndexName = "by-group",
                KeyConditionExpression = "#g = :g",
                ExpressionAttributeNames = new() { ["#g"] = "message_group_uuid" },
                ExpressionAttributeValues = new() { [":g"] = new AttributeValue { S = "g-1" } },
                Limit = 20,
                ScanIndexForward = false,
                ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
            },
            Token);

        var sent = stub.Requests.Single();
        sent.Headers["X-Amz-Target"].ShouldBe("DynamoDB_20120810.Query");
        sent.Headers["Content-Type"].ShouldBe("application/x-amz-json-1.0");
        using var body = System.Text.Json.JsonDocument.Parse(sent.Body);
        body.RootElement.GetProperty("TableName").GetString().ShouldBe("messages");
        body.RootElement.GetProperty("IndexName").GetString().ShouldBe("by-group");
        body.RootElement.GetProperty("Limit").GetInt32().ShouldBe(20);
        body.RootElement.GetProperty("ScanIndexForward").GetBoolean().ShouldBeFalse();
        body.RootElement.GetProperty("ReturnConsumedCapacity").GetString().ShouldBe("INDEXES");
        body.RootElement.GetProperty("ExpressionAttributeNames").GetProperty("#g").GetString().ShouldBe("message_group_uuid");
        body.RootElement.GetProperty("ExpressionAttributeValues").GetProperty(":g").GetProperty("S").GetString().ShouldBe("g-1");
        body.RootElement.TryGetProperty("ConsistentRead", out _).ShouldBeFalse("unset parameters are not sent");
    }

    [Fact]
    public async Task The_lean_request_and_the_SDKs_request_verify_against_the_SDKs_signer_with_a_real_key_pair()
    {
        var (accessKey, secretKey) = NewKeyPair();
        var credentials = new BasicAWSCredentials(accessKey, secretKey);

        var leanStub = new StubTransport(Ok(EmptyAnswer));
        using (var lean = new DynamoDbJsonClient(AwsEndpoint, RegionEndpoint.EUWest2, _ => ValueTask.FromResult<AWSCredentials>(credentials), TimeSpan.FromSeconds(3), 0, leanStub))
        {
            await lean.QueryAsync(SampleQuery(), Token);
        }

        var sdkStub = new StubTransport(Ok(EmptyAnswer));
        using (var sdk = new AmazonDynamoDBClient(credentials, new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.EUWest2, HttpClientFactory = new StubClientFactory(sdkStub), MaxErrorRetry = 0 }))
        {
            await sdk.QueryAsync(SampleQuery(), Token);
        }

        var leanSent = leanStub.Requests.Single();
        var sdkSent = sdkStub.Requests.Single();

        // The recomputation is the SDK's own signer over the canonical request of what went on the wire; that it
        // reproduces the SDK client's Authorization shows it is the check AWS makes.
        ExpectedAuthorization(sdkSent, accessKey, secretKey).ShouldBe(sdkSent.Headers["Authorization"]);
        ExpectedAuthorization(leanSent, accessKey, secretKey).ShouldBe(leanSent.Headers["Authorization"]);

        var leanSigned = SignedHeaders(leanSent).Split(';');
        leanSigned.ShouldBe(["content-type", "host", "x-amz-api-version", "x-amz-content-sha256", "x-amz-date", "x-amz-target"]);
        SignedHeaders(sdkSent).Split(';').Where(h => !h.StartsWith("amz-sdk-", StringComparison.Ordinal) && h != "content-length" && h != "x-amz-content-sha256")
            .ShouldBe(leanSigned.Where(h => h != "x-amz-content-sha256"), "the lean request signs what the SDK signs, less the SDK's own bookkeeping headers");
        Scope(leanSent).ShouldBe(Scope(sdkSent));
        leanSent.Uri.AbsoluteUri.ShouldBe(sdkSent.Uri.AbsoluteUri);
        foreach (var header in new[] { "X-Amz-Target", "X-Amz-Api-Version", "Content-Type" })
        {
            leanSent.Headers[header].ShouldBe(sdkSent.Headers[header], header);
        }
    }

    [Fact]
    public async Task Session_credentials_send_and_sign_the_security_token()
    {
        var (accessKey, secretKey) = NewKeyPair();
        var stub = new StubTransport(Ok(EmptyAnswer));
        using var lean = new DynamoDbJsonClient(
            AwsEndpoint, RegionEndpoint.EUWest2, _ => ValueTask.FromResult<AWSCredentials>(new SessionAWSCredentials(accessKey, secretKey, "the-session-token")), TimeSpan.FromSeconds(3), 0, stub);

        await lean.QueryAsync(SampleQuery(), Token);

        var sent = stub.Requests.Single();
        sent.Headers["X-Amz-Security-Token"].ShouldBe("the-session-token");
        SignedHeaders(sent).Split(';').ShouldContain("x-amz-security-token");
        ExpectedAuthorization(sent, accessKey, secretKey).ShouldBe(sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task Calls_on_one_day_verify_and_a_credentials_change_signs_with_the_new_key_at_once()
    {
        var (firstAccess, firstSecret) = NewKeyPair();
        var (secondAccess, secondSecret) = NewKeyPair();
        var role = new ChangingCredentials(new ImmutableCredentials(firstAccess, firstSecret, null));
        var stub = new StubTransport(Ok(EmptyAnswer));
        using var lean = new DynamoDbJsonClient(AwsEndpoint, RegionEndpoint.EUWest2, _ => ValueTask.FromResult<AWSCredentials>(role), TimeSpan.FromSeconds(3), 0, stub);

        await lean.QueryAsync(SampleQuery(), Token);
        await lean.QueryAsync(SampleQuery(), Token);
        role.Current = new ImmutableCredentials(secondAccess, secondSecret, "the-refreshed-session-token");
        await lean.QueryAsync(SampleQuery(), Token);

        var sent = stub.Requests.ToArray();
        sent.Length.ShouldBe(3);
        sent[0].Headers["X-Amz-Date"][..8].ShouldBe(sent[1].Headers["X-Amz-Date"][..8], "the calls run on one day (the key is kept for it)");
        foreach (var first in sent[..2])
        {
            ExpectedAuthorization(first, firstAccess, firstSecret).ShouldBe(first.Headers["Authorization"]);
            first.Headers.ContainsKey("X-Amz-Security-Token").ShouldBeFalse();
        }

        // Refreshed role credentials: a new secret key, so a new signing key on the same day, and the token is sent and signed.
        var refreshed = sent[2];
        ExpectedAuthorization(refreshed, secondAccess, secondSecret).ShouldBe(refreshed.Headers["Authorization"]);
        refreshed.Headers["X-Amz-Security-Token"].ShouldBe("the-refreshed-session-token");
        SignedHeaders(refreshed).Split(';').ShouldContain("x-amz-security-token");
        role.Asked.ShouldBe(3, "credentials are asked for on every call");
    }

    private static QueryRequest SampleQuery() => new()
    {
        TableName = "messages",
        KeyConditionExpression = "pk = :pk",
        ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = "GRP#ünïcode" } },
        Limit = 20,
        ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
    };

    private static DynamoDbJsonClient Client(StubTransport stub, int maxErrorRetry = 0, TimeSpan? attemptTimeout = null) =>
        new(AwsEndpoint, RegionEndpoint.EUWest2, _ => ValueTask.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIDEXAMPLE", "secret")), attemptTimeout ?? TimeSpan.FromSeconds(5), maxErrorRetry, stub);

    private static (string AccessKey, string SecretKey) NewKeyPair() =>
        ("AKIA" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)));

    /// <summary>The Authorization header AWS expects for the request as sent: SigV4 over its canonical form.</summary>
    private static string ExpectedAuthorization(SentRequest sent, string accessKey, string secretKey)
    {
        var signedHeaders = SignedHeaders(sent);
        var names = signedHeaders.Split(';');
        var canonicalHeaders = string.Concat(names.Select(name => $"{name}:{(name == "host" ? sent.Uri.Authority : sent.Headers[name].Trim())}\n"));
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(sent.Body));
        var canonicalRequest = $"POST\n{sent.Uri.AbsolutePath}\n\n{canonicalHeaders}\n{signedHeaders}\n{payloadHash}";
        var signedAt = DateTime.ParseExact(sent.Headers["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        var result = AWS4Signer.ComputeSignature(accessKey, secretKey, "eu-west-2", signedAt, "dynamodb", signedHeaders, canonicalRequest);
        return $"AWS4-HMAC-SHA256 Credential={accessKey}/{signedAt:yyyyMMdd}/eu-west-2/dynamodb/aws4_request, SignedHeaders={signedHeaders}, Signature={result.Signature}";
    }

    private static string SignedHeaders(SentRequest sent) =>
        sent.Headers["Authorization"].Split("SignedHeaders=")[1].Split(',')[0];

    private static string Scope(SentRequest sent) =>
        sent.Headers["Authorization"].Split("Credential=")[1].Split(',')[0].Split('/', 2)[1];

    private static Func<HttpRequestMessage, HttpResponseMessage> Ok(string json) =>
        _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.0") };

    private static Func<HttpRequestMessage, HttpResponseMessage> Error(HttpStatusCode status, string code, string message = "stub") =>
        _ => new HttpResponseMessage(status) { Content = new StringContent($$"""{"__type":"com.amazonaws.dynamodb.v20120810#{{code}}","message":"{{message}}"}""", Encoding.UTF8, "application/x-amz-json-1.0") };

    internal sealed record SentRequest(Uri Uri, Dictionary<string, string> Headers, byte[] Body);

    /// <summary>Answers in turn (the last answer repeats), or never; records what was sent.</summary>
    private sealed class StubTransport(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private readonly bool hang;
        private int next;

        public StubTransport(bool hang)
            : this() => this.hang = hang;

        public ConcurrentQueue<SentRequest> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                headers[name] = string.Join(",", values);
            }

            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            Requests.Enqueue(new SentRequest(request.RequestUri!, headers, body));
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return answers[Math.Min(next++, answers.Length - 1)](request);
        }
    }

    /// <summary>Credentials that change when told, as role credentials do when they are refreshed.</summary>
    private sealed class ChangingCredentials(ImmutableCredentials initial) : AWSCredentials
    {
        private int asked;

        public ImmutableCredentials Current { get; set; } = initial;

        public int Asked => asked;

        public override ImmutableCredentials GetCredentials()
        {
            Interlocked.Increment(ref asked);
            return Current;
        }

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
    }

    private sealed class StubClientFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);
    }
}
