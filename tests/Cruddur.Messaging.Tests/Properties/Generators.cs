using System.Globalization;
using CsCheck;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Users;

namespace Cruddur.Messaging.Tests.Properties;

/// <summary>Generators shared by the property tests: hostile text, text near the 1024-character limit, and messages.</summary>
internal static class Generators
{
    /// <summary>Any UTF-16 text, lone surrogates and control characters included.</summary>
    public static readonly Gen<string> AnyText = Gen.Char.Array[0, 80].Select(chars => new string(chars));

    /// <summary>Pieces that are one user-perceived character each, in 1 to 11 UTF-16 units, and blanks.</summary>
    public static readonly string[] TextElements =
        ["a", "Z", "7", "漢", "字", "é", "e\u0301", "a\u0308\u0323", "\U0001F44D", "\U0001F44D\U0001F3FD", "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466", "\U0001F1EF\U0001F1F5", "<", "'", "\""];

    public static readonly string[] Blanks = [" ", "\t", "\n", "\u00A0", "\u3000", "\u2003"];

    /// <summary>Text built of whole characters, from none to a little over the limit, with blanks around and inside.</summary>
    public static readonly Gen<string> MessageLikeText =
        Gen.Select(
            Gen.OneOf(TextElements).Array[0, 3],
            Gen.Int[0, 1030],
            Gen.OneOf(Blanks).Array[0, 4],
            Gen.OneOf(Blanks).Array[0, 4],
            Gen.Int[0, int.MaxValue],
            (pieces, count, before, after, seed) =>
            {
                var body = pieces.Length == 0 ? "" : string.Concat(Enumerable.Range(0, count).Select(i => pieces[(seed + i) % pieces.Length]));
                return string.Concat(before) + body + string.Concat(after);
            });

    /// <summary>Times over the whole representable range, in any offset.</summary>
    public static readonly Gen<DateTimeOffset> AnyTime = Gen.DateTimeOffset;

    public static readonly Gen<UserSummary> Sender =
        Gen.Select(Gen.Guid, Gen.String[1, 30], AnyText, (uuid, handle, name) => new UserSummary(uuid, handle, name));

    /// <summary>Messages as pattern C writes them (times cut to the microsecond, as stored).</summary>
    public static readonly Gen<Message> Message =
        Gen.Select(Gen.Guid, Gen.Guid, AnyText, Sender, AnyTime, (uuid, group, text, sender, at) =>
            new Message(uuid, group, text, sender, Time.MessageTimestamp.TruncateToMicroseconds(at.ToUniversalTime())));

    /// <summary>The text as people see it: its user-perceived characters.</summary>
    public static int TextElementCount(string text) => new StringInfo(text).LengthInTextElements;
}
