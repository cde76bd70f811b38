using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table.Lean;
using Cruddur.Messaging.Time;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Messaging.Table;

/// <summary>
/// The owner's read state kept on a group row (<c>GRP#{owner}</c>): the read position (<c>read_at</c>), the times of the
/// other participant's messages newer than it (<c>unread</c>, a number set of epoch microseconds, at most
/// <see cref="MaxUnread"/>) and a version (<c>read_version</c>) that every in-place change raises.
/// <para>
/// A set instead of a counter so that every writer merges instead of adding: a replayed record adds a time that is
/// already there, a read removes exactly the times up to its position, and two copies of a row (a move by pattern E in
/// progress) merge into one without counting twice: position = the larger, unread = the union minus what it covers.
/// Rows the original scripts wrote have none of these attributes and read as nothing unread.
/// </para>
/// </summary>
internal sealed record GroupRowReadState(DateTimeOffset? ReadAt, IReadOnlySet<long> Unread, long Version)
{
    /// <summary>The unread count is exact up to this many; past it the row keeps this many (the row stays under 1 KB).</summary>
    public const int MaxUnread = MessageGroups.MessageGroup.MaxUnreadCount;

    /// <summary>The number of unread messages (at most <see cref="MaxUnread"/>).</summary>
    public int UnreadCount => Unread.Count;

    /// <summary>The read state of a row; absent attributes read as no position, nothing unread, version 0.</summary>
    public static GroupRowReadState Of(IReadOnlyDictionary<string, AttributeValue> row) => OfItem(new SdkItem(row));

    /// <inheritdoc cref="Of(IReadOnlyDictionary{string, AttributeValue})"/>
    public static GroupRowReadState OfItem<TItem>(TItem row)
        where TItem : IItemAttributes
    {
        var readAt = MessageTimestamp.TryParse(row.Text(MessageTableKeys.ReadAt), out var at) ? at : (DateTimeOffset?)null;
        var unread = row.Numbers(UnreadTimes) is { } numbers
            ? numbers.Select(number => long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : (long?)null).OfType<long>().ToHashSet()
            : [];
        var version = long.TryParse(row.Number(ReadVersion), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new(readAt, unread, version);
    }

    /// <summary>One state out of several copies of a row: the furthest position and every time unread past it.</summary>
    public static GroupRowReadState Merge(IEnumerable<GroupRowReadState> states)
    {
        var all = states.ToList();
        var readAt = all.Max(state => state.ReadAt);
        var version = all.Max(state => state.Version);
        return new GroupRowReadState(readAt, new HashSet<long>(), version).WithUnread(all.SelectMany(state => state.Unread));
    }

    /// <summary>This state with the given message times added where they are past the read position (up to the cap).</summary>
    public GroupRowReadState WithMessages(IEnumerable<DateTimeOffset> times) => WithUnread(times.Select(Micros));

    /// <summary>This state read up to <paramref name="at"/>: never backwards; the times it covers leave the unread set.</summary>
    public GroupRowReadState ReadUpTo(DateTimeOffset at) =>
        ReadAt >= at ? this : new GroupRowReadState(at, Unread.Where(time => time > Micros(at)).ToHashSet(), Version);

    /// <summary>True when both hold the same position and unread times (versions aside).</summary>
    public bool SameAs(GroupRowReadState other) => ReadAt == other.ReadAt && Unread.SetEquals(other.Unread);

    /// <summary>A copy of <paramref name="row"/> holding this state.</summary>
    public Dictionary<string, AttributeValue> WriteTo(IReadOnlyDictionary<string, AttributeValue> row)
    {
        var copy = new Dictionary<string, AttributeValue>(row);
        copy.Remove(UnreadTimes);
        copy.Remove(MessageTableKeys.ReadAt);
        if (ReadAt is { } readAt)
        {
            copy[MessageTableKeys.ReadAt] = MessageItems.S(MessageTimestamp.Format(readAt));
        }

        if (Unread.Count > 0)
        {
            copy[UnreadTimes] = new AttributeValue { NS = Numbers() };
        }

        return copy;
    }

    /// <summary>
    /// The in-place update that writes this state over a row still at <paramref name="expectedVersion"/>, raising the version.
    /// </summary>
    public UpdateItemRequest UpdateOf(IReadOnlyDictionary<string, AttributeValue> row, long expectedVersion)
    {
        var request = new UpdateItemRequest
        {
            Key = new() { [Pk] = row[Pk], [Sk] = row[Sk] },
            ExpressionAttributeNames = new() { ["#pk"] = Pk, ["#v"] = ReadVersion, ["#u"] = UnreadTimes, ["#r"] = MessageTableKeys.ReadAt },
            ExpressionAttributeValues = new() { [":next"] = new AttributeValue { N = (expectedVersion + 1).ToString(CultureInfo.InvariantCulture) } },
            ConditionExpression = "attribute_exists(#pk) AND " + VersionCondition(expectedVersion, out var versionValue),
        };
        if (versionValue is not null)
        {
            request.ExpressionAttributeValues[":v"] = versionValue;
        }

        var set = new List<string> { "#v = :next" };
        var remove = new List<string>();
        if (ReadAt is { } readAt)
        {
            set.Add("#r = :r");
            request.ExpressionAttributeValues[":r"] = MessageItems.S(MessageTimestamp.Format(readAt));
        }
        else
        {
            remove.Add("#r");
        }

        if (Unread.Count > 0)
        {
            set.Add("#u = :u");
            request.ExpressionAttributeValues[":u"] = new AttributeValue { NS = Numbers() };
        }
        else
        {
            remove.Add("#u");
        }

        request.UpdateExpression = "SET " + string.Join(", ", set) + (remove.Count > 0 ? " REMOVE " + string.Join(", ", remove) : "");
        return request;
    }

    /// <summary>The condition that a row's version is still <paramref name="version"/> (absent counts as 0), using <c>#v</c>.</summary>
    public static string VersionCondition(long version, out AttributeValue? value)
    {
        value = version == 0 ? null : new AttributeValue { N = version.ToString(CultureInfo.InvariantCulture) };
        return version == 0 ? "attribute_not_exists(#v)" : "#v = :v";
    }

    /// <summary>A message time as the set holds it: microseconds since the Unix epoch.</summary>
    public static long Micros(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private GroupRowReadState WithUnread(IEnumerable<long> times)
    {
        var unread = Unread.ToHashSet();
        var after = ReadAt is { } readAt ? Micros(readAt) : long.MinValue;
        foreach (var time in times.Where(time => time > after).Distinct().Order())
        {
            if (unread.Count >= MaxUnread)
            {
                break;
            }

            unread.Add(time);
        }

        return unread.SetEquals(Unread) ? this : this with { Unread = unread };
    }

    private List<string> Numbers() => Unread.Order().Select(time => time.ToString(CultureInfo.InvariantCulture)).ToList();
}
