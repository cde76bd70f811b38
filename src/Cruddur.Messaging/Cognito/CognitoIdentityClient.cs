using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace Cruddur.Messaging.Cognito;

/// <summary>
/// The few Cognito user-pool operations Cruddur needs, as JSON over HTTP (<c>AWSSDK.CognitoIdentityProvider</c> is not
/// used): <c>ListUsers</c> for the operator's update-cognito-user-ids and <c>GetUser</c> for the first sign-in.
/// The same code talks to Cognito in AWS and to cognito-local; the host decides the endpoint and whether requests are
/// SigV4-signed (<see cref="CreateSignedHttpClient"/>).
/// </summary>
public sealed class CognitoIdentityClient(HttpClient http, Uri serviceUrl)
{
    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.1");

    /// <summary>The service name in SigV4 signatures.</summary>
    public const string SigningService = "cognito-idp";

    /// <summary>Cognito's endpoint in <paramref name="region"/>.</summary>
    public static Uri DefaultServiceUrl(string region) => new($"https://cognito-idp.{region}.amazonaws.com/");

    /// <summary>The region a user pool lives in: the part of its id before <c>_</c> (<c>us-east-1_AbC123</c>), or null.</summary>
    public static string? RegionOfPool(string userPoolId) =>
        userPoolId?.IndexOf('_', StringComparison.Ordinal) is > 0 and var at ? userPoolId[..at] : null;

    /// <summary>
    /// An <see cref="HttpClient"/> whose requests AWSSDK.Core's own SigV4 handler signs with <paramref name="credentials"/>
    /// (the administrative operations need IAM credentials; <see cref="GetUserAsync"/> does not).
    /// </summary>
    public static HttpClient CreateSignedHttpClient(AWSCredentials credentials, string region, HttpMessageHandler? innerHandler = null) =>
        new(new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), SigningService, innerHandler ?? new SocketsHttpHandler()));

    /// <summary>The AWS SDK's default credential chain (environment, profile, container or instance role).</summary>
    public static async Task<AWSCredentials> DefaultCredentialsAsync(CancellationToken cancellationToken)
    {
        using var resolver = new Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver();
        return await resolver.ResolveIdentityAsync(null, cancellationToken);
    }

    /// <summary>Calls one operation; a Cognito error becomes a <see cref="CognitoException"/> with its type.</summary>
    public async Task<JsonElement> CallAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, serviceUrl)
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8),
        };
        message.Content.Headers.ContentType = AmzJson;
        message.Headers.Add("X-Amz-Target", $"AWSCognitoIdentityProviderService.{operation}");
        using var response = await http.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(body.Length == 0 ? "{}" : body).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CognitoException("InvalidResponse", $"{operation} answered {(int)response.StatusCode} with a body that is not JSON.");
        }

        if (!response.IsSuccessStatusCode)
        {
            // Cognito names the error in __type ("...#NotAuthorizedException" or plain) and explains it in message.
            var type = json.TryGetProperty("__type", out var t) ? t.GetString() ?? "" : "";
            var text = json.TryGetProperty("message", out var m) || json.TryGetProperty("Message", out m) ? m.GetString() : null;
            throw new CognitoException(type[(type.LastIndexOf('#') + 1)..] is { Length: > 0 } name ? name : $"Http{(int)response.StatusCode}", text ?? $"{operation} failed with {(int)response.StatusCode}.");
        }

        return json;
    }

    /// <summary>Every user of the pool, page after page (<c>PaginationToken</c>).</summary>
    public async Task<IReadOnlyList<CognitoUser>> ListUsersAsync(string userPoolId, CancellationToken cancellationToken)
    {
        List<CognitoUser> users = [];
        string? next = null;
        do
        {
            var request = new JsonObject { ["UserPoolId"] = userPoolId, ["Limit"] = 60 };
            if (next is not null)
            {
                request["PaginationToken"] = next;
            }

            var page = await CallAsync("ListUsers", request, cancellationToken);
            if (page.TryGetProperty("Users", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                users.AddRange(list.EnumerateArray().Select(user => CognitoUser.Read(user, "Attributes")));
            }

            next = page.TryGetProperty("PaginationToken", out var token) ? token.GetString() : null;
        }
        while (!string.IsNullOrEmpty(next));

        return users;
    }

    /// <summary>The user an access token belongs to, with their attributes; authorized by the token itself.</summary>
    public async Task<CognitoUser> GetUserAsync(string accessToken, CancellationToken cancellationToken) =>
        CognitoUser.Read(await CallAsync("GetUser", new JsonObject { ["AccessToken"] = accessToken }, cancellationToken), "UserAttributes");
}

/// <summary>A pool user: the user name and the attributes (<c>sub</c>, <c>preferred_username</c>, <c>name</c>, …).</summary>
public sealed record CognitoUser(string Username, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The user's stable id, which tokens carry as <c>sub</c>.</summary>
    public string? Sub => Attributes.GetValueOrDefault("sub");

    /// <summary>The Cruddur handle the user chose.</summary>
    public string? PreferredUsername => Attributes.GetValueOrDefault("preferred_username");

    /// <summary>The display name.</summary>
    public string? Name => Attributes.GetValueOrDefault("name");

    /// <summary>The e-mail address.</summary>
    public string? Email => Attributes.GetValueOrDefault("email");

    /// <summary>Reads a user of ListUsers (<c>Attributes</c>), AdminGetUser or GetUser (<c>UserAttributes</c>) output.</summary>
    public static CognitoUser Read(JsonElement user, string attributesProperty)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (user.TryGetProperty(attributesProperty, out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var attribute in list.EnumerateArray())
            {
                if (attribute.TryGetProperty(nameof(Name), out var name) && attribute.TryGetProperty("Value", out var value) && name.GetString() is { } key && value.GetString() is { } text)
                {
                    attributes[key] = text;
                }
            }
        }

        return new CognitoUser(user.TryGetProperty(nameof(Username), out var username) ? username.GetString() ?? "?" : "?", attributes);
    }
}

/// <summary>Cognito refused a call; <see cref="ErrorType"/> is its error name, such as <c>NotAuthorizedException</c>.</summary>
public sealed class CognitoException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CognitoException(string errorType, string message)
        : base($"{errorType}: {message}") => ErrorType = errorType;

    /// <summary>Creates the exception.</summary>
    public CognitoException()
        : this("Unknown", "Cognito refused the call.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CognitoException(string message)
        : this("Unknown", message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CognitoException(string message, Exception innerException)
        : base(message, innerException) => ErrorType = "Unknown";

    /// <summary>Cognito's error name.</summary>
    public string ErrorType { get; }
}
