using System.Collections.Concurrent;
using Cruddur.Messaging.Table;

namespace Cruddur.Messaging;

/// <summary>
/// Who may read and post to a group. The two members of a group never change, so once read they are kept
/// in process and the warm path of A and C costs no DynamoDB call for the check.
/// </summary>
/// <remarks>
/// Filled only from what the store answered (the group item, its rows, or the pair item written in the same
/// transaction), never from our own write: a cache entry then means the store had the group when we looked, so a group
/// the store lost is 404 for the next reader instead of a place its messages go with no group item or rows. Real
/// DynamoDB never loses an acknowledged transaction; DynamoDB Local can lose the last one on SIGKILL (the soak's kill
/// phase, issue 15). The price is one consistent GetItem per new group per instance, on its first A or C.
/// </remarks>
internal sealed class GroupMembership(MessageTable table)
{
    // A bound, not an eviction policy: past it the cache starts over, which costs one read per group again.
    private const int MaxCachedGroups = 200_000;

    private readonly ConcurrentDictionary<Guid, (Guid First, Guid Second)> members = new();

    /// <summary>
    /// True when <paramref name="user"/> is a member. Reads our group item (consistent); a group the original scripts
    /// wrote has none, and then the owners of its rows in the GSI are its members.
    /// </summary>
    public async ValueTask<bool> IsMemberAsync(Guid messageGroupUuid, Guid user, CancellationToken cancellationToken)
    {
        if (members.TryGetValue(messageGroupUuid, out var known))
        {
            return known.First == user || known.Second == user;
        }

        var read = await table.GetGroupMembersAsync(messageGroupUuid, cancellationToken)
            ?? MessageTable.Owners(await table.QueryGroupRowsAsync(messageGroupUuid, "membership.query_rows", cancellationToken));
        if (read is [var first, var second])
        {
            Remember(messageGroupUuid, first, second);
        }

        // Fewer or more than two owners is not a settled two-person group: answer, but do not cache.
        return read.Contains(user);
    }

    /// <summary>Records the members of a group the store just showed us (its group item, its rows or its pair item).</summary>
    public void Remember(Guid messageGroupUuid, Guid first, Guid second)
    {
        if (members.Count >= MaxCachedGroups)
        {
            members.Clear();
        }

        members[messageGroupUuid] = (first, second);
    }
}
