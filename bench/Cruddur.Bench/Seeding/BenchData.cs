using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;

namespace Cruddur.Bench.Seeding;

/// <summary>A conversation of the load fixture: its group and the two members (by index into the load users).</summary>
internal sealed record Conversation(Guid Uuid, int First, int Second, int Messages);

/// <summary>
/// What the benchmark seeds, in the table's real item shapes (<see cref="MessageItems"/>): the load users, each in 24
/// conversations (a full first page for B) of which the one with the next user holds 200 messages (a full page for A,
/// and the group C posts to); and the scaling fixtures. Times lie days in the past so that live posts are the newest.
/// </summary>
internal sealed class BenchData
{
    public const int ConversationsPerUserHalf = 12;
    public const int ReadGroupMessages = 200;

    private static readonly DateTimeOffset BaseTime = DateTimeOffset.UtcNow.AddDays(-3);

    public required IReadOnlyList<User> LoadUsers { get; init; }

    public required IReadOnlyList<Conversation> Conversations { get; init; }

    /// <summary>Per load user: the conversation with the next user (A reads it, C posts to it).</summary>
    public IReadOnlyList<Conversation> ReadGroups => [.. Conversations.Where(c => c.Messages == ReadGroupMessages).OrderBy(c => c.First)];

    /// <summary>Per load user: the handle D posts to (two users on, an existing conversation).</summary>
    public IReadOnlyList<string> DirectHandles => [.. LoadUsers.Select((_, i) => LoadUsers[(i + 2) % LoadUsers.Count].Handle)];

    /// <summary>B scaling: a user per size, owning that many group rows.</summary>
    public required IReadOnlyList<(int Size, User User)> ScalingGroupOwners { get; init; }

    /// <summary>A scaling: one user (and peer) with a group per size holding that many messages.</summary>
    public required User ScalingReader { get; init; }

    public required User ScalingPeer { get; init; }

    public required IReadOnlyList<(int Size, Guid Group)> ScalingGroups { get; init; }

    /// <summary>Load users' count: enough that 12 neighbours on each side are all different people.</summary>
    public static int LoadUserCount(int maxConcurrency) => Math.Max(maxConcurrency, (2 * ConversationsPerUserHalf) + 8);

    public static IReadOnlyList<Conversation> PlanConversations(int users)
    {
        var conversations = new List<Conversation>();
        for (var i = 0; i < users; i++)
        {
            for (var k = 1; k <= ConversationsPerUserHalf; k++)
            {
                conversations.Add(new Conversation(Guid.NewGuid(), i, (i + k) % users, k == 1 ? ReadGroupMessages : 1));
            }
        }

        return conversations;
    }

    /// <summary>Every item of the load fixture: per conversation the group and pair items, the messages and both group rows.</summary>
    public IEnumerable<Dictionary<string, AttributeValue>> LoadItems()
    {
        for (var c = 0; c < Conversations.Count; c++)
        {
            var conversation = Conversations[c];
            var first = LoadUsers[conversation.First].Summary;
            var second = LoadUsers[conversation.Second].Summary;
            var start = BaseTime.AddSeconds(c);
            foreach (var item in ConversationItems(conversation.Uuid, first, second, start, conversation.Messages, TimeSpan.FromMilliseconds(1), withPair: true))
            {
                yield return item;
            }
        }
    }

    /// <summary>The scaling fixtures: group rows of the B owners, and the A groups with their messages.</summary>
    public IEnumerable<Dictionary<string, AttributeValue>> ScalingItems()
    {
        foreach (var (size, owner) in ScalingGroupOwners)
        {
            for (var j = 0; j < size; j++)
            {
                var other = new UserSummary(Guid.NewGuid(), $"peer{j}", $"Peer {j}");
                var at = BaseTime.AddMilliseconds(j);
                yield return MessageItems.GroupRow(owner.Uuid, new MessageGroup(Guid.NewGuid(), other, Text(j), at));
            }
        }

        var reader = ScalingReader.Summary;
        var peer = ScalingPeer.Summary;
        foreach (var (size, group) in ScalingGroups)
        {
            var start = BaseTime.AddHours(1 + size.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
            foreach (var item in ConversationItems(group, reader, peer, start, size, TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond * 10), withPair: false))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<Dictionary<string, AttributeValue>> ConversationItems(Guid group, UserSummary first, UserSummary second, DateTimeOffset start, int messages, TimeSpan step, bool withPair)
    {
        yield return MessageItems.Group(group, first.Uuid, second.Uuid, start);
        if (withPair)
        {
            yield return MessageItems.Pair(first.Uuid, second.Uuid, group, start);
        }

        var last = start;
        for (var m = 0; m < messages; m++)
        {
            last = start + (step * m);
            yield return MessageItems.Message(new Message(Guid.NewGuid(), group, Text(m), m % 2 == 0 ? first : second, last));
        }

        var lastText = Text(messages - 1);
        yield return MessageItems.GroupRow(first.Uuid, new MessageGroup(group, second, lastText, last));
        yield return MessageItems.GroupRow(second.Uuid, new MessageGroup(group, first, lastText, last));
    }

    private static string Text(int n) => $"bench message {n}: the quick brown fox jumps over the lazy dog";
}
