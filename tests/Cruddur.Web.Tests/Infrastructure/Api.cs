using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Cruddur.Web.Tests.Infrastructure;

/// <summary>Small helpers for calling the API and reading its answers.</summary>
public static class Api
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<HttpResponseMessage> PostMessageAsync(this HttpClient client, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request, Token);
    }

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string path, string body, string contentType = "application/json") =>
        client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType), Token);

    /// <summary>Sends a message to a handle and returns the created message (fails the test unless 200).</summary>
    public static async Task<JsonElement> SendToHandleAsync(this HttpClient client, string handle, string message)
    {
        using var response = await client.PostMessageAsync(new { message, handle });
        return await response.ShouldBeJsonAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonElement> SendToGroupAsync(this HttpClient client, Guid groupUuid, string message)
    {
        using var response = await client.PostMessageAsync(new { message, message_group_uuid = groupUuid });
        return await response.ShouldBeJsonAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Token);
        return await response.ShouldBeJsonAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonElement> ShouldBeJsonAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(Token);
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json", body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Checks a problem answer: status, media type, exactly the one code, and no internals.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync(Token);
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        problem.GetProperty("status").GetInt32().ShouldBe((int)status);
        problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ShouldBe([code], body);
        body.ShouldNotContain("Exception", Case.Sensitive, body);
        body.ShouldNotContain("   at ", Case.Sensitive, body);
        return problem;
    }

    /// <summary>The target of the <c>Link: &lt;…&gt;; rel="next"</c> header, or null.</summary>
    public static string? NextLink(this HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        var link = values.Single();
        link.ShouldEndWith("; rel=\"next\"");
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }
}
