using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.Messages;

/// <summary>The routes of the original client, end to end: D, C, A, B and the user look-up, field by field.</summary>
public sealed partial class ConversationTests(LocalServicesFixture services) : IAsyncLifetime
{
    private CruddurWebApplication app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await CruddurWebApplication.StartAsync(services);

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Message_to_a_handle_answers_the_created_message_with_its_group()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"), "Alice A");
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));

        var sent = await alice.Client.SendToHandleAsync("@" + bob.Handle, "  Hello Bob  ");

        PropertyNames(sent).ShouldBe(["created_at", "display_name", "handle", "message", "message_group_uuid", "uuid"]);
        sent.GetProperty("message_group_uuid").GetGuid().ShouldNotBe(Guid.Empty);
        sent.GetProperty("uuid").GetGuid().ShouldNotBe(Guid.Empty);
        sent.GetProperty("display_name").GetString().ShouldBe("Alice A");
        sent.GetProperty("handle").GetString().ShouldBe(alice.Handle);
        sent.GetProperty("message").GetString().ShouldBe("Hello Bob");
        ShouldBeTableTime(sent.GetProperty("created_at").GetString()!);
    }

    [Fact]
    public async Task Both_participants_see_the_group_and_its_messages_oldest_first()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"), "Alice A");
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"), "Bob B");
        var first = await alice.Client.SendToHandleAsync(bob.Handle, "one");
        var group = first.GetProperty("message_group_uuid").GetGuid();
        var second = await bob.Client.SendToGroupAsync(group, "two");
        var third = await bob.Client.SendToHandleAsync(alice.Handle, "three"); // D finds the pair's group

        second.GetProperty("message_group_uuid").GetGuid().ShouldBe(group);
        third.GetProperty("message_group_uuid").GetGuid().ShouldBe(group);

        foreach (var reader in new[] { alice, bob })
        {
            var messages = await reader.Client.GetJsonAsync($"/api/messages/{group}");
            messages.EnumerateArray().Select(m => m.GetProperty("message").GetString()).ShouldBe(["one", "two", "three"]);
            var last = messages[2];
            PropertyNames(last).ShouldBe(["created_at", "display_name", "handle", "message", "read_by_other", "uuid"]);
            last.GetProperty("uuid").GetGuid().ShouldBe(third.GetProperty("uuid").GetGuid());
            last.GetProperty("display_name").GetString().ShouldBe("Bob B");
            last.GetProperty("handle").GetString().ShouldBe(bob.Handle);
            last.GetProperty("created_at").GetString().ShouldBe(third.GetProperty("created_at").GetString());
        }

        var aliceGroups = await alice.Client.GetJsonAsync("/api/message_groups");
        aliceGroups.GetArrayLength().ShouldBe(1);
        var row = aliceGroups[0];
        PropertyNames(row).ShouldBe(["created_at", "display_name", "handle", "message", "unread_count", "uuid"]);
        row.GetProperty("uuid").GetGuid().ShouldBe(group);
        row.GetProperty("display_name").GetString().ShouldBe("Bob B");
        row.GetProperty("handle").GetString().ShouldBe(bob.Handle);
        ShouldBeTableTime(row.GetProperty("created_at").GetString()!);

        var bobGroups = await bob.Client.GetJsonAsync("/api/message_groups");
        bobGroups.GetArrayLength().ShouldBe(1);
        bobGroups[0].GetProperty("handle").GetString().ShouldBe(alice.Handle);
        bobGroups[0].GetProperty("display_name").GetString().ShouldBe("Alice A");
    }

    [Fact]
    public async Task Message_groups_are_listed_newest_first()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        var others = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var other = await app.SignInAsync(CruddurWebApplication.UniqueHandle($"friend{i}"));
            await alice.Client.SendToHandleAsync(other.Handle, $"hi {i}");
            others.Add(other.Handle);
        }

        var groups = await alice.Client.GetJsonAsync("/api/message_groups");
        groups.EnumerateArray().Select(g => g.GetProperty("handle").GetString()).ShouldBe(Enumerable.Reverse(others));
        groups.EnumerateArray().Select(g => g.GetProperty("message").GetString()).ShouldBe(["hi 2", "hi 1", "hi 0"]);
    }

    [Fact]
    public async Task A_non_member_cannot_read_post_to_or_page_through_a_group_of_two_others()
    {
        using var yara = await app.SignInAsync(CruddurWebApplication.UniqueHandle("yara"));
        using var zed = await app.SignInAsync(CruddurWebApplication.UniqueHandle("zed"));
        using var xavier = await app.SignInAsync(CruddurWebApplication.UniqueHandle("xavier"));
        var group = (await yara.Client.SendToHandleAsync(zed.Handle, "private")).GetProperty("message_group_uuid").GetGuid();
        await zed.Client.SendToGroupAsync(group, "still private");
        using var yaraPage = await yara.Client.GetAsync($"/api/messages/{group}?limit=1", Token);
        var next = yaraPage.NextLink().ShouldNotBeNull();
        var before = await TableItems.CountMessagesAsync(services, app.TableName);

        using var read = await xavier.Client.GetAsync($"/api/messages/{group}", Token);
        await read.ShouldBeProblemAsync(HttpStatusCode.NotFound, "message_group_not_found");
        using var readPage = await xavier.Client.GetAsync($"/api/messages/{group}?limit=1", Token);
        await readPage.ShouldBeProblemAsync(HttpStatusCode.NotFound, "message_group_not_found");
        using var post = await xavier.Client.PostMessageAsync(new { message = "let me in", message_group_uuid = group });
        await post.ShouldBeProblemAsync(HttpStatusCode.NotFound, "message_group_not_found");
        // Another reader's cursor is bound to that reader: refused before anything is read.
        using var stolenCursor = await xavier.Client.GetAsync(next, Token);
        await stolenCursor.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "cursor_invalid");

        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(before);
        (await xavier.Client.GetJsonAsync("/api/message_groups")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Paging_through_messages_by_Link_headers_visits_every_message_once()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var group = (await alice.Client.SendToHandleAsync(bob.Handle, "m0")).GetProperty("message_group_uuid").GetGuid();
        for (var i = 1; i < 8; i++)
        {
            await (i % 2 == 0 ? alice : bob).Client.SendToGroupAsync(group, $"m{i}");
        }

        var pages = new List<List<string>>();
        string? path = $"/api/messages/{group}?limit=3";
        while (path is not null)
        {
            using var response = await alice.Client.GetAsync(path, Token);
            var page = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
            pages.Add(page.EnumerateArray().Select(m => m.GetProperty("message").GetString()!).ToList());
            path = response.NextLink();
            pages.Count.ShouldBeLessThan(10);
        }

        // Newest page first, each page oldest to newest.
        pages.Take(3).ShouldBe([["m5", "m6", "m7"], ["m2", "m3", "m4"], ["m0", "m1"]]);
        pages.SelectMany(p => p).Order().ShouldBe(Enumerable.Range(0, 8).Select(i => $"m{i}"));
    }

    [Fact]
    public async Task Paging_through_message_groups_by_Link_headers_visits_every_group_once()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        var handles = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var other = await app.SignInAsync(CruddurWebApplication.UniqueHandle($"friend{i}"));
            await alice.Client.SendToHandleAsync(other.Handle, "hi");
            handles.Add(other.Handle);
        }

        var seen = new List<string>();
        string? path = "/api/message_groups?limit=2";
        var pageCount = 0;
        while (path is not null)
        {
            using var response = await alice.Client.GetAsync(path, Token);
            var page = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
            page.GetArrayLength().ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(page.EnumerateArray().Select(g => g.GetProperty("handle").GetString()!));
            path = response.NextLink();
            path?.ShouldStartWith("/api/message_groups?limit=2&cursor=");
            (++pageCount).ShouldBeLessThan(10);
        }

        seen.ShouldBe(Enumerable.Reverse(handles));
    }

    [Fact]
    public async Task A_short_page_has_no_next_link()
    {
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var group = (await alice.Client.SendToHandleAsync(bob.Handle, "only")).GetProperty("message_group_uuid").GetGuid();

        using var response = await alice.Client.GetAsync($"/api/messages/{group}?limit=5", Token);
        (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(1);
        response.NextLink().ShouldBeNull();
    }

    [Fact]
    public async Task User_short_answers_uuid_handle_and_display_name()
    {
        using var carol = await app.SignInAsync(CruddurWebApplication.UniqueHandle("carol"), "Carol C");
        using var anonymous = app.CreateClient();

        var user = await anonymous.GetJsonAsync($"/api/users/@{carol.Handle}/short");

        PropertyNames(user).ShouldBe(["display_name", "handle", "uuid"]);
        user.GetProperty("uuid").GetGuid().ShouldBe(carol.Uuid);
        user.GetProperty("handle").GetString().ShouldBe(carol.Handle);
        user.GetProperty("display_name").GetString().ShouldBe("Carol C");
    }

    [Fact]
    public async Task User_short_of_an_unknown_handle_is_404()
    {
        using var anonymous = app.CreateClient();
        using var response = await anonymous.GetAsync("/api/users/@nobody_here_at_all/short", Token);
        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "user_not_found");
    }

    [Fact]
    public async Task Health_check_answers_success_true()
    {
        using var anonymous = app.CreateClient();
        using var response = await anonymous.GetAsync("/api/health-check", Token);
        var body = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        body.GetRawText().ShouldBe("""{"success":true}""");
    }

    private static string[] PropertyNames(JsonElement element) =>
        element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private static void ShouldBeTableTime(string text)
    {
        TableTime().IsMatch(text).ShouldBeTrue(text);
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")]
    private static partial Regex TableTime();
}
