using System.Net;
using System.Text.Json;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.Messages;

/// <summary>
/// Unread counts and read markers over HTTP, with the local stream processor moving the rows (pattern E) for real:
/// <c>unread_count</c> in pattern B, the total, <c>POST …/read</c> and <c>read_by_other</c> in pattern A.
/// </summary>
public sealed class ReadPositionTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_count_as_unread_for_the_recipient_until_read_and_then_show_as_read_to_the_sender()
    {
        await using var app = await StartAsync();
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var group = (await bob.Client.SendToHandleAsync(alice.Handle, "one")).GetProperty("message_group_uuid").GetGuid();
        await bob.Client.SendToGroupAsync(group, "two");

        (await UntilUnreadAsync(alice.Client, group, 2)).ShouldBe(2);
        (await GroupAsync(bob.Client, group)).GetProperty("unread_count").GetInt32().ShouldBe(0, "Bob sent them");
        (await alice.Client.GetJsonAsync("/api/message_groups/unread")).GetProperty("unread_count").GetInt32().ShouldBe(2);
        (await bob.Client.GetJsonAsync($"/api/messages/{group}")).EnumerateArray().ShouldAllBe(message => !message.GetProperty("read_by_other").GetBoolean());

        using var read = await alice.Client.PostAsync($"/api/message_groups/{group}/read", content: null, Token);
        read.StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await GroupAsync(alice.Client, group)).GetProperty("unread_count").GetInt32().ShouldBe(0);
        (await alice.Client.GetJsonAsync("/api/message_groups/unread")).GetProperty("unread_count").GetInt32().ShouldBe(0);
        (await bob.Client.GetJsonAsync($"/api/messages/{group}")).EnumerateArray().ShouldAllBe(message => message.GetProperty("read_by_other").GetBoolean());
        (await alice.Client.GetJsonAsync($"/api/messages/{group}")).EnumerateArray().ShouldAllBe(message => !message.GetProperty("read_by_other").GetBoolean(), "Bob has read nothing of Alice's (she sent nothing)");
    }

    [Fact]
    public async Task A_read_up_to_a_message_leaves_the_newer_ones_unread_and_empty_or_empty_object_bodies_read_all()
    {
        await using var app = await StartAsync();
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var first = await bob.Client.SendToHandleAsync(alice.Handle, "one");
        var group = first.GetProperty("message_group_uuid").GetGuid();
        await bob.Client.SendToGroupAsync(group, "two");
        await UntilUnreadAsync(alice.Client, group, 2);

        using var partial = await alice.Client.PostRawAsync($"/api/message_groups/{group}/read", JsonSerializer.Serialize(new { created_at = first.GetProperty("created_at").GetString() }));
        partial.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await GroupAsync(alice.Client, group)).GetProperty("unread_count").GetInt32().ShouldBe(1);
        (await bob.Client.GetJsonAsync($"/api/messages/{group}")).EnumerateArray().Select(message => message.GetProperty("read_by_other").GetBoolean()).ShouldBe([true, false]);

        using var all = await alice.Client.PostRawAsync($"/api/message_groups/{group}/read", "{}");
        all.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await GroupAsync(alice.Client, group)).GetProperty("unread_count").GetInt32().ShouldBe(0);
        using var again = await alice.Client.PostRawAsync($"/api/message_groups/{group}/read", "{}");
        again.StatusCode.ShouldBe(HttpStatusCode.NoContent, "idempotent");
    }

    [Fact]
    public async Task Bad_bodies_strangers_and_unknown_groups_are_refused_with_stable_codes_and_nothing_is_written()
    {
        await using var app = await StartAsync();
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        using var carol = await app.SignInAsync(CruddurWebApplication.UniqueHandle("carol"));
        using var anonymous = app.CreateClient();
        var group = (await bob.Client.SendToHandleAsync(alice.Handle, "one")).GetProperty("message_group_uuid").GetGuid();
        await UntilUnreadAsync(alice.Client, group, 1);
        var before = await RowsTextAsync(app);
        var path = $"/api/message_groups/{group}/read";

        (string Body, string ContentType, HttpStatusCode Status, string Code)[] refusals =
        [
            ("{\"created_at\":\"yesterday\"}", "application/json", HttpStatusCode.UnprocessableEntity, "read_position_invalid"),
            ("{\"created_at\":\"\"}", "application/json", HttpStatusCode.UnprocessableEntity, "read_position_invalid"),
            ("{\"created_at\":5}", "application/json", HttpStatusCode.BadRequest, "body_malformed"),
            ("[", "application/json", HttpStatusCode.BadRequest, "body_malformed"),
            ("null", "application/json", HttpStatusCode.BadRequest, "body_malformed"),
            ("{\"up_to\":\"2026-01-01T00:00:00Z\"}", "application/json", HttpStatusCode.BadRequest, "body_unknown_field"),
            ("created_at=now", "text/plain", HttpStatusCode.UnsupportedMediaType, "content_type_unsupported"),
        ];
        foreach (var (body, contentType, status, code) in refusals)
        {
            using var response = await alice.Client.PostRawAsync(path, body, contentType);
            await response.ShouldBeProblemAsync(status, code);
        }

        using (var stranger = await carol.Client.PostRawAsync(path, "{}"))
        {
            await stranger.ShouldBeProblemAsync(HttpStatusCode.NotFound, "message_group_not_found");
        }

        using (var unknown = await alice.Client.PostRawAsync($"/api/message_groups/{Guid.NewGuid()}/read", "{}"))
        {
            await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound, "message_group_not_found");
        }

        using (var malformed = await alice.Client.PostRawAsync("/api/message_groups/not-a-uuid/read", "{}"))
        {
            await malformed.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "message_group_uuid_invalid");
        }

        using (var signedOut = await anonymous.PostRawAsync(path, "{}"))
        {
            await signedOut.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "authentication_required");
        }

        (await RowsTextAsync(app)).ShouldBe(before);
        (await GroupAsync(alice.Client, group)).GetProperty("unread_count").GetInt32().ShouldBe(1);
    }

    private Task<CruddurWebApplication> StartAsync() =>
        CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?> { ["LocalRun:StreamProcessor"] = "true" });

    private static async Task<JsonElement> GroupAsync(HttpClient client, Guid group) =>
        (await client.GetJsonAsync("/api/message_groups")).EnumerateArray().Single(row => row.GetProperty("uuid").GetGuid() == group);

    /// <summary>Polls pattern B until the stream processor has counted <paramref name="expected"/> messages (20 s at most).</summary>
    private static async Task<int> UntilUnreadAsync(HttpClient client, Guid group, int expected)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var rows = (await client.GetJsonAsync("/api/message_groups")).EnumerateArray().Where(row => row.GetProperty("uuid").GetGuid() == group).ToList();
            if (rows is [var row] && row.GetProperty("unread_count").GetInt32() == expected)
            {
                return expected;
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    /// <summary>Every item of the app's table but the local stream processor's checkpoint, as text.</summary>
    private async Task<string> RowsTextAsync(CruddurWebApplication app) =>
        string.Join("\n", (await TableItems.ScanAsync(services, app.TableName))
            .Where(item => !item["pk"].S.StartsWith("STREAMPOS#", StringComparison.Ordinal)) // the stream processor's own checkpoint moves on
            .Select(item => string.Join(";", item.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value.S ?? pair.Value.N ?? string.Join(",", pair.Value.NS ?? pair.Value.SS ?? [])}")))
            .Order(StringComparer.Ordinal));
}
