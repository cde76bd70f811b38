using System.Net;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.BadInput;

/// <summary>
/// One app shared by the bad-input cases (they write nothing, so they cannot disturb each other): Alice and Bob with
/// a conversation of three messages, cursors of both, and a conversation of two others that Alice is not in.
/// </summary>
public sealed class BadInputWorld(LocalServicesFixture services) : IAsyncLifetime
{
    public CruddurWebApplication App { get; private set; } = null!;

    public SignedInUser Alice { get; private set; } = null!;

    public SignedInUser Bob { get; private set; } = null!;

    public Guid Group { get; private set; }

    public Guid ForeignGroup { get; private set; }

    /// <summary>Alice's cursor of the second page of her group with Bob.</summary>
    public string AliceCursor { get; private set; } = "";

    /// <summary>Bob's cursor of the same page: bound to Bob.</summary>
    public string BobCursor { get; private set; } = "";

    /// <summary>Alice's cursor of her message groups.</summary>
    public string GroupsCursor { get; private set; } = "";

    public LocalServicesFixture Services => services;

    public async ValueTask InitializeAsync()
    {
        // Every case posts as Alice: the per-user send limit must not be what answers.
        App = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?> { ["RateLimiting:Posts:PermitLimit"] = "1000" });
        Alice = await App.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        Bob = await App.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        using var carol = await App.SignInAsync(CruddurWebApplication.UniqueHandle("carol"));
        using var dave = await App.SignInAsync(CruddurWebApplication.UniqueHandle("dave"));
        Group = (await Alice.Client.SendToHandleAsync(Bob.Handle, "one")).GetProperty("message_group_uuid").GetGuid();
        await Bob.Client.SendToGroupAsync(Group, "two");
        await Alice.Client.SendToGroupAsync(Group, "three");
        await Alice.Client.SendToHandleAsync(carol.Handle, "hi carol");
        ForeignGroup = (await carol.Client.SendToHandleAsync(dave.Handle, "between us")).GetProperty("message_group_uuid").GetGuid();
        AliceCursor = await CursorAsync(Alice, $"/api/messages/{Group}?limit=1");
        BobCursor = await CursorAsync(Bob, $"/api/messages/{Group}?limit=1");
        GroupsCursor = await CursorAsync(Alice, "/api/message_groups?limit=1");
    }

    public async ValueTask DisposeAsync()
    {
        Alice.Dispose();
        Bob.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>Replaces the placeholders of a case (GROUP, FOREIGN, HANDLE, SELF, cursors) with this world's values.</summary>
    public string Fill(string text) => text
        .Replace("{group}", Group.ToString(), StringComparison.Ordinal)
        .Replace("{foreign}", ForeignGroup.ToString(), StringComparison.Ordinal)
        .Replace("{bob}", Bob.Handle, StringComparison.Ordinal)
        .Replace("{alice}", Alice.Handle, StringComparison.Ordinal)
        .Replace("{alice_cursor}", Uri.EscapeDataString(AliceCursor), StringComparison.Ordinal)
        .Replace("{tampered_cursor}", Uri.EscapeDataString(Tamper(AliceCursor)), StringComparison.Ordinal)
        .Replace("{bob_cursor}", Uri.EscapeDataString(BobCursor), StringComparison.Ordinal)
        .Replace("{groups_cursor}", Uri.EscapeDataString(GroupsCursor), StringComparison.Ordinal)
        .Replace("{tampered_groups_cursor}", Uri.EscapeDataString(Tamper(GroupsCursor)), StringComparison.Ordinal);

    /// <summary>The cursor with one character in its middle changed: still base64url, no longer its checksum.</summary>
    private static string Tamper(string cursor)
    {
        var middle = cursor.Length / 2;
        return string.Concat(cursor.AsSpan(0, middle), cursor[middle] == 'A' ? "B" : "A", cursor.AsSpan(middle + 1));
    }

    private static async Task<string> CursorAsync(SignedInUser user, string path)
    {
        using var response = await user.Client.GetAsync(path, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var next = response.NextLink().ShouldNotBeNull();
        return Uri.UnescapeDataString(next[(next.IndexOf("cursor=", StringComparison.Ordinal) + "cursor=".Length)..]);
    }
}
