using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cruddur.Web.Json;

/// <summary>
/// A message as the original Cruddur client reads it (pattern A, plus <c>read_by_other</c>), and also a message-group row
/// (pattern B, plus <c>unread_count</c>). Each added field appears only in its own pattern.
/// </summary>
internal sealed record MessageJson(
    [property: JsonPropertyName("uuid")] Guid Uuid,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("handle")] string Handle,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("unread_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? UnreadCount = null,
    [property: JsonPropertyName("read_by_other"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? ReadByOther = null);

/// <summary>The body of <c>POST /api/message_groups/{uuid}/read</c>: up to which message (none: the newest).</summary>
internal sealed class MarkReadRequest
{
    [JsonPropertyName("created_at")]
    public string? CreatedAt { get; init; }
}

/// <summary>The answer of <c>GET /api/message_groups/unread</c>: the signed-in user's unread messages over all groups.</summary>
internal sealed record UnreadTotalJson([property: JsonPropertyName("unread_count")] int UnreadCount);

/// <summary>The answer to a send: the created message and the group it went to.</summary>
internal sealed record CreatedMessageJson(
    [property: JsonPropertyName("message_group_uuid")] Guid MessageGroupUuid,
    [property: JsonPropertyName("uuid")] Guid Uuid,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("handle")] string Handle,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("created_at")] string CreatedAt);

/// <summary>The body of <c>POST /api/messages</c>: a message and exactly one of a group and a handle.</summary>
internal sealed class PostMessageRequest
{
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("message_group_uuid")]
    public string? MessageGroupUuid { get; init; }

    [JsonPropertyName("handle")]
    public string? Handle { get; init; }
}

/// <summary>A user as <c>/api/users/@{handle}/short</c> and the dev sign-in answer it.</summary>
internal sealed record UserShortJson(
    [property: JsonPropertyName("uuid")] Guid Uuid,
    [property: JsonPropertyName("handle")] string Handle,
    [property: JsonPropertyName("display_name")] string DisplayName);

/// <summary>How the web UI signs in (<c>/api/ui-config</c>): <c>development</c>, <c>cognito</c> or <c>unavailable</c>.</summary>
internal sealed record UiConfigJson(
    [property: JsonPropertyName("sign_in")] string SignIn,
    [property: JsonPropertyName("cognito"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CognitoUiJson? Cognito);

/// <summary>The Cognito hosted sign-in's settings for the UI; a null <c>redirect_uri</c> means the UI's own address.</summary>
internal sealed record CognitoUiJson(
    [property: JsonPropertyName("domain")] string Domain,
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("redirect_uri")] string? RedirectUri,
    [property: JsonPropertyName("scopes")] string Scopes,
    [property: JsonPropertyName("logout")] bool Logout);

/// <summary>The answer of <c>/api/health-check</c>.</summary>
internal sealed record HealthCheckJson([property: JsonPropertyName("success")] bool Success);

/// <summary>The body of the development sign-in.</summary>
internal sealed class DevSignInRequest
{
    [JsonPropertyName("handle")]
    public string? Handle { get; init; }

    [JsonPropertyName("display_name")]
    public string? DisplayName { get; init; }

    [JsonPropertyName("email")]
    public string? Email { get; init; }
}

/// <summary>The answer of the development sign-in, shaped like an OAuth token response plus the user.</summary>
internal sealed record DevSignInResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("user")] UserShortJson User);

/// <summary>Source-generated JSON for every type the API reads or writes: no reflection on the request path.</summary>
// A field given twice is refused: which of the two counts would otherwise depend on the parser. A field not in the
// contract is refused too (the request bodies are the only types read).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowDuplicateProperties = false, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(MessageJson[]))]
[JsonSerializable(typeof(CreatedMessageJson))]
[JsonSerializable(typeof(PostMessageRequest))]
[JsonSerializable(typeof(MarkReadRequest))]
[JsonSerializable(typeof(UnreadTotalJson))]
[JsonSerializable(typeof(UserShortJson))]
[JsonSerializable(typeof(HealthCheckJson))]
[JsonSerializable(typeof(UiConfigJson))]
[JsonSerializable(typeof(DevSignInRequest))]
[JsonSerializable(typeof(DevSignInResponse))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
