using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Cruddur.Messaging.Time;

namespace Cruddur.Messaging.Paging;

/// <summary>
/// Opaque page cursors: the sort key where the next page starts, bound to the list it came from (pattern, user, group).
/// The checksum refuses damaged or hand-edited cursors; it is not a secret, and need not be: the query's partition
/// always comes from the request, so a forged position can only move within the caller's own list.
/// </summary>
internal static class PageCursor
{
    private const string Version = "1";
    private const int ChecksumLength = 8;
    private const int MaxCursorLength = 512;
    private const int MaxSortKeyLength = 64;

    /// <summary>The scope of pattern A: one user reading one group.</summary>
    public static string MessagesScope(Guid me, Guid messageGroupUuid) => $"A:{me:D}:{messageGroupUuid:D}";

    /// <summary>The scope of pattern B: one user's groups.</summary>
    public static string GroupsScope(Guid me) => $"B:{me:D}";

    public static string Encode(string scope, string sortKey)
    {
        var payload = Encoding.UTF8.GetBytes($"{Version}\n{scope}\n{sortKey}");
        return Base64Url.EncodeToString([.. payload, .. Checksum(payload)]);
    }

    /// <summary>The sort key of a cursor made by <see cref="Encode"/> for this <paramref name="scope"/>; false for anything else.</summary>
    public static bool TryDecode(string cursor, string scope, out string sortKey)
    {
        sortKey = "";
        if (cursor.Length is 0 or > MaxCursorLength || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        var bytes = Base64Url.DecodeFromChars(cursor);
        if (bytes.Length <= ChecksumLength)
        {
            return false;
        }

        var payload = bytes.AsSpan(0, bytes.Length - ChecksumLength);
        if (!CryptographicOperations.FixedTimeEquals(Checksum(payload), bytes.AsSpan(payload.Length)))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var parts = text.Split('\n');
        if (parts is not [Version, var cursorScope, var key]
            || !string.Equals(cursorScope, scope, StringComparison.Ordinal)
            || key.Length > MaxSortKeyLength
            || !MessageTimestamp.TryParse(key, out _))
        {
            return false;
        }

        sortKey = key;
        return true;
    }

    private static byte[] Checksum(ReadOnlySpan<byte> payload) => SHA256.HashData(payload)[..ChecksumLength];
}
