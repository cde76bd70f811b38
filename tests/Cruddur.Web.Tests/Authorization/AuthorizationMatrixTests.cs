using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cruddur.Web.Tests.Authorization;

/// <summary>
/// Every route that touches a group, for every caller who may not: an outsider (signed in, not a member), a signed-out
/// caller and a member's expired token. Each is refused, writes nothing, and gets exactly the same answer for the
/// group of others as for a group that does not exist.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationWorld world) : IClassFixture<AuthorizationWorld>
{
    public static TheoryData<string, string> Matrix()
    {
        var data = new TheoryData<string, string>();
        foreach (var caller in new[] { "outsider", "signed out", "expired token" })
        {
            foreach (var route in new[] { "read", "read a page by a member's cursor", "post to the group", "list my groups", "mark read" })
            {
                data.Add(caller, route);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task A_caller_outside_the_group_is_refused_and_learns_nothing(string caller, string route)
    {
        var before = await StoreCounts.ReadAsync(world.Services, world.App);
        using var client = caller switch
        {
            "outsider" => world.App.CreateAuthorizedClient(world.Outsider.Token),
            "signed out" => world.App.CreateClient(),
            _ => world.App.CreateAuthorizedClient(world.ExpiredMemberToken),
        };

        var foreign = await AskAsync(client, route, world.Group);
        var unknown = await AskAsync(client, route, Guid.NewGuid());

        var (status, code) = (caller, route) switch
        {
            ("signed out", _) => (HttpStatusCode.Unauthorized, "authentication_required"),
            ("expired token", _) => (HttpStatusCode.Unauthorized, "token_expired"),
            (_, "read a page by a member's cursor") => (HttpStatusCode.BadRequest, "cursor_invalid"),
            (_, "list my groups") => (HttpStatusCode.OK, null),
            _ => (HttpStatusCode.NotFound, "message_group_not_found"),
        };
        foreign.Status.ShouldBe(status, foreign.Body);
        if (code is null)
        {
            // Listing is allowed, but only the caller's own groups: the group of others is not among them.
            foreign.Body.ShouldNotContain(world.Group.ToString());
            foreign.Body.ShouldNotContain(world.Member.Handle);
        }
        else
        {
            JsonNode.Parse(foreign.Body)!["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe([code]);
            foreign.Body.ShouldNotContain(world.Group.ToString());
        }

        unknown.ShouldBe(foreign, "the group of others and a group that does not exist must look the same");
        (await StoreCounts.ReadAsync(world.Services, world.App)).ShouldBe(before);
    }

    [Fact]
    public async Task The_public_user_route_tells_only_what_any_profile_shows()
    {
        using var client = world.App.CreateClient();
        var user = await client.GetJsonAsync($"/api/users/@{world.Member.Handle}/short");
        user.EnumerateObject().Select(p => p.Name).ShouldBe(["uuid", "handle", "display_name"], ignoreOrder: true);
    }

    private async Task<Answer> AskAsync(HttpClient client, string route, Guid group)
    {
        using var request = route switch
        {
            "read" => new HttpRequestMessage(HttpMethod.Get, $"/api/messages/{group}"),
            "read a page by a member's cursor" => new HttpRequestMessage(HttpMethod.Get, $"/api/messages/{group}?limit=1&cursor={Uri.EscapeDataString(world.MemberCursor)}"),
            "post to the group" => new HttpRequestMessage(HttpMethod.Post, "/api/messages")
            {
                Content = new StringContent($$"""{"message": "let me in", "message_group_uuid": "{{group}}"}""", Encoding.UTF8, "application/json"),
            },
            "mark read" => new HttpRequestMessage(HttpMethod.Post, $"/api/message_groups/{group}/read")
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            },
            _ => new HttpRequestMessage(HttpMethod.Get, "/api/message_groups"),
        };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Api.ShouldNotLeakInternals(body);
        var normalized = body;
        if (JsonNode.Parse(body) is JsonObject problem)
        {
            problem.Remove("traceId");
            normalized = problem.ToJsonString();
        }

        return new Answer(
            response.StatusCode,
            normalized.Replace(group.ToString(), "{group}", StringComparison.Ordinal),
            response.Content.Headers.ContentType?.MediaType,
            response.Headers.WwwAuthenticate.ToString(),
            response.Headers.Contains("Link"));
    }

    private sealed record Answer(HttpStatusCode Status, string Body, string? MediaType, string WwwAuthenticate, bool HasLink);
}

/// <summary>A conversation of two members, one outsider, a member's cursor, and a member's token that has expired.</summary>
public sealed class AuthorizationWorld(LocalServicesFixture services) : IAsyncLifetime
{
    private static readonly byte[] SigningKey = Encoding.UTF8.GetBytes("authorization-matrix-signing-key-32b!");

    public LocalServicesFixture Services => services;

    public CruddurWebApplication App { get; private set; } = null!;

    public SignedInUser Member { get; private set; } = null!;

    public SignedInUser Outsider { get; private set; } = null!;

    public Guid Group { get; private set; }

    public string MemberCursor { get; private set; } = "";

    public string ExpiredMemberToken { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        App = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?>
        {
            ["Authentication:Development:SigningKey"] = Convert.ToBase64String(SigningKey),
        });
        Member = await App.SignInAsync(CruddurWebApplication.UniqueHandle("member"));
        using var other = await App.SignInAsync(CruddurWebApplication.UniqueHandle("other"));
        Outsider = await App.SignInAsync(CruddurWebApplication.UniqueHandle("outsider"));
        Group = (await Member.Client.SendToHandleAsync(other.Handle, "private")).GetProperty("message_group_uuid").GetGuid();
        await other.Client.SendToGroupAsync(Group, "still private");
        using var page = await Member.Client.GetAsync($"/api/messages/{Group}?limit=1", TestContext.Current.CancellationToken);
        var next = page.NextLink().ShouldNotBeNull();
        MemberCursor = Uri.UnescapeDataString(next[(next.IndexOf("cursor=", StringComparison.Ordinal) + "cursor=".Length)..]);
        var now = DateTime.UtcNow;
        ExpiredMemberToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "cruddur-development",
            Audience = "cruddur-development",
            IssuedAt = now.AddHours(-9),
            NotBefore = now.AddHours(-9),
            Expires = now.AddHours(-1),
            Claims = new Dictionary<string, object> { ["sub"] = Member.Uuid.ToString("D"), ["token_use"] = "access" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        Member.Dispose();
        Outsider.Dispose();
        await App.DisposeAsync();
    }
}
