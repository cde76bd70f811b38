using System.Net;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Cruddur.Messaging.Cognito;

namespace Cruddur.Messaging.Tests.Cognito;

/// <summary>The Cognito client's requests are signed by AWSSDK.Core's own SigV4 handler, which meets AWS's published test vector.</summary>
public sealed class SigV4SigningTests
{
    private static readonly BasicAWSCredentials ExampleCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    private static readonly DateTime VectorTime = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    [Fact]
    public void The_SDKs_signer_computes_AWSs_published_get_vanilla_signature()
    {
        const string canonicalRequest = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        var result = Amazon.Runtime.Internal.Auth.AWS4Signer.ComputeSignature(
            "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", VectorTime, "service", "host;x-amz-date", canonicalRequest);

        result.Signature.ShouldBe("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    [Fact]
    public async Task The_signing_handler_signs_what_it_sends_by_that_algorithm()
    {
        var capture = new CapturingHandler();
        var parameters = new AWSSigV4Parameters { Credentials = ExampleCredentials, Region = RegionEndpoint.USEast1, Service = "service", SignedAt = VectorTime };
        using var http = new HttpClient(new SigV4SigningHandler(parameters, capture));

        using var response = await http.GetAsync(new Uri("https://example.amazonaws.com/"), TestContext.Current.CancellationToken);

        // The SDK also signs x-amz-content-sha256 (the vector does not send it): recompute the signature from what was sent.
        var payloadHash = capture.Header("x-amz-content-sha256");
        payloadHash.ShouldBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        capture.Header("x-amz-date").ShouldBe("20150830T123600Z");
        var canonicalRequest = $"GET\n/\n\nhost:example.amazonaws.com\nx-amz-content-sha256:{payloadHash}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-content-sha256;x-amz-date\n{payloadHash}";
        var expected = Amazon.Runtime.Internal.Auth.AWS4Signer.ComputeSignature(
            "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", VectorTime, "service", "host;x-amz-content-sha256;x-amz-date", canonicalRequest);
        capture.Authorization.ShouldBe($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={expected.Signature}");
    }

    [Fact]
    public async Task ListUsers_goes_out_signed_for_cognito_idp_in_the_pools_region_with_the_target_header_signed()
    {
        var capture = new CapturingHandler();
        using var http = CognitoIdentityClient.CreateSignedHttpClient(ExampleCredentials, "eu-west-2", capture);
        var client = new CognitoIdentityClient(http, CognitoIdentityClient.DefaultServiceUrl("eu-west-2"));

        var users = await client.ListUsersAsync("eu-west-2_AbC123", TestContext.Current.CancellationToken);

        users.ShouldBeEmpty();
        capture.Authorization.ShouldStartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/");
        capture.Authorization.ShouldContain("/eu-west-2/cognito-idp/aws4_request");
        capture.Authorization.ShouldContain("x-amz-target");
        capture.Authorization.ShouldMatch("Signature=[0-9a-f]{64}$");
        capture.Target.ShouldBe("AWSCognitoIdentityProviderService.ListUsers");
        JsonNode.Parse(capture.Body!)!["UserPoolId"]!.GetValue<string>().ShouldBe("eu-west-2_AbC123");
    }

    [Fact]
    public void The_region_is_the_pool_ids_prefix()
    {
        CognitoIdentityClient.RegionOfPool("ap-southeast-2_xyz").ShouldBe("ap-southeast-2");
        CognitoIdentityClient.RegionOfPool("xyz").ShouldBeNull();
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        private readonly Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);

        public string? Authorization => headers.GetValueOrDefault("Authorization");

        public string? Header(string name) => headers.GetValueOrDefault(name);

        public string? Target { get; private set; }

        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            foreach (var (name, values) in request.Headers)
            {
                headers[name] = string.Join(",", values);
            }

            Target = request.Headers.TryGetValues("X-Amz-Target", out var target) ? target.Single() : null;
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"Users":[]}""") };
        }
    }
}
