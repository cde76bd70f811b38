using CsCheck;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Time;

namespace Cruddur.Messaging.Tests.Properties;

/// <summary>The cursor codec: what it encodes it decodes for the same list only; nothing else decodes or throws.</summary>
public sealed class PageCursorProperties
{
    private static readonly Gen<string> Scope = Gen.Select(Gen.Bool, Gen.Guid, Gen.Guid, (messages, me, group) =>
        messages ? PageCursor.MessagesScope(me, group) : PageCursor.GroupsScope(me));

    private static readonly Gen<string> SortKey = Generators.AnyTime.Select(MessageTimestamp.Format);

    [Fact]
    public void A_cursor_decodes_to_its_sort_key_in_its_own_scope() =>
        Gen.Select(Scope, SortKey).Sample((scope, sortKey) =>
        {
            var cursor = PageCursor.Encode(scope, sortKey);
            PageCursor.TryDecode(cursor, scope, out var decoded).ShouldBeTrue();
            decoded.ShouldBe(sortKey);
        });

    [Fact]
    public void A_cursor_is_refused_in_any_other_scope() =>
        Gen.Select(Scope, Scope, SortKey).Sample((scope, other, sortKey) =>
            scope == other || !PageCursor.TryDecode(PageCursor.Encode(scope, sortKey), other, out _));

    [Fact]
    public void A_cursor_with_one_character_changed_is_refused_or_means_the_same() =>
        Gen.Select(Scope, SortKey, Gen.Int[0, 1000], Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. %"]).Sample((scope, sortKey, at, replacement) =>
        {
            var cursor = PageCursor.Encode(scope, sortKey);
            var index = at % cursor.Length;
            var changed = string.Concat(cursor.AsSpan(0, index), replacement.ToString(), cursor.AsSpan(index + 1));
            // Base64url's last character carries unused bits: changing only those leaves the same bytes.
            return !PageCursor.TryDecode(changed, scope, out var decoded) || decoded == sortKey;
        });

    [Fact]
    public void Arbitrary_text_never_throws_and_never_decodes() =>
        Gen.Select(Generators.AnyText, Gen.String[0, 700], Scope).Sample((text, ascii, scope) =>
            !PageCursor.TryDecode(text, scope, out _) && !PageCursor.TryDecode(ascii, scope, out _));

    [Fact]
    public void A_cursor_of_forged_bytes_with_a_valid_checksum_but_no_timestamp_is_refused() =>
        Gen.Select(Scope, Generators.AnyText).Sample((scope, notATime) =>
            MessageTimestamp.TryParse(notATime, out _) || !PageCursor.TryDecode(PageCursor.Encode(scope, notATime), scope, out _));
}
