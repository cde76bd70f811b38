using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Cruddur.Bench.Launch;

/// <summary>A signed-in simulated user: its token, and who the app says it is.</summary>
internal sealed record SignedInUser(string Handle, Guid Uuid, AuthenticationHeaderValue Authorization);

/// <summary>Talks to the app over HTTP as the original client would: dev sign-in, then the /api routes with a Bearer token.</summary>
internal sealed class AppClient(HttpClient http, Uri baseAddress)
{
    private static readonly MediaTypeHeaderValue Json = MediaTypeHeaderValue.Parse("application/json");

    public Uri BaseAddress => baseAddress;

    /// <summary>Signs in through the Development-only <c>POST /api/dev/sign-in</c>.</summary>
    public async Task<SignedInUser> SignInAsync(string handle, string displayName, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(
            new Uri(baseAddress, "/api/dev/sign-in"),
            new Dictionary<string, string> { ["handle"] = handle, ["display_name"] = displayName },
            cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Sign-in of @{handle} failed: {(int)response.StatusCode} {body}");
        }

        using var document = JsonDocument.Parse(body);
        var token = document.RootElement.GetProperty("access_token").GetString()!;
        var uuid = document.RootElement.GetProperty("user").GetProperty("uuid").GetGuid();
        return new SignedInUser(handle, uuid, new AuthenticationHeaderValue("Bearer", token));
    }

    public static Uri MessagesPath(Guid messageGroupUuid, int limit) => new($"/api/messages/{messageGroupUuid:D}?limit={limit}", UriKind.Relative);

    public static Uri MessageGroupsPath(int limit) => new($"/api/message_groups?limit={limit}", UriKind.Relative);

    public static byte[] PostToGroupBody(Guid messageGroupUuid, string text) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["message"] = text, ["message_group_uuid"] = messageGroupUuid.ToString("D") });

    public static byte[] PostToHandleBody(string handle, string text) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["message"] = text, ["handle"] = handle });

    /// <summary>A GET as <paramref name="user"/>; null when it answered 2xx, else the status and start of the body.</summary>
    public async Task<string?> GetAsync(SignedInUser user, Uri path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, path));
        request.Headers.Authorization = user.Authorization;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ErrorOrNullAsync(response, cancellationToken);
    }

    /// <summary>A POST of a JSON body as <paramref name="user"/>; the answer's body on 2xx, else throws.</summary>
    public async Task<(byte[]? Body, string? Error)> PostAsync(SignedInUser user, Uri path, byte[] json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path)) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = user.Authorization;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.IsSuccessStatusCode ? (body, null) : (null, Describe(response, body));
    }

    /// <summary>A GET whose JSON answer the caller inspects (validation before a phase, not the measured path).</summary>
    public async Task<(JsonDocument Body, string? NextLink)> GetJsonAsync(SignedInUser user, Uri path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, path));
        request.Headers.Authorization = user.Authorization;
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {Describe(response, body)}");
        }

        var link = response.Headers.TryGetValues("Link", out var values) ? string.Join(", ", values) : null;
        return (JsonDocument.Parse(body), link);
    }

    private static async Task<string?> ErrorOrNullAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.IsSuccessStatusCode ? null : Describe(response, body);
    }

    private static string Describe(HttpResponseMessage response, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        return $"{(int)response.StatusCode} {(text.Length > 200 ? text[..200] : text)}";
    }
}
