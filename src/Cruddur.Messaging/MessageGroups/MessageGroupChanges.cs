using System.Threading.Channels;

namespace Cruddur.Messaging.MessageGroups;

/// <summary>What happened to a group: <see cref="NewMessage"/> (its rows show a new message) or <see cref="Read"/> (a member marked it read).</summary>
/// <param name="MessageGroupUuid">The group.</param>
/// <param name="Kind"><c>message</c> or <c>read</c>, as the web app's event stream names it.</param>
public sealed record MessageGroupChange(Guid MessageGroupUuid, string Kind)
{
    /// <summary>The kind of a change that brought a new message.</summary>
    public const string NewMessage = "message";

    /// <summary>The kind of a change that moved a member's read position (counts drop, "Seen" moves).</summary>
    public const string Read = "read";

    /// <summary>The kind of <see cref="MessageGroupChanges.Resync"/>: changes may have gone unheard, re-read everything.</summary>
    public const string ResyncKind = "resync";
}

/// <summary>
/// In-process news of groups whose rows now show a new message or whose read positions moved: the <c>MessageStreamHandler</c> publishes
/// once it has moved a group's rows, and the web app's event stream subscribes per signed-in user. Only what this
/// process's own handler saw is published; other processes (other app instances, the Lambda) are not heard.
/// </summary>
public sealed class MessageGroupChanges
{
    /// <summary>Changes one subscriber may have pending; past that the oldest are dropped (a client re-reads everything anyway).</summary>
    public const int SubscriberCapacity = 64;

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, List<MessageGroupSubscription>> subscribers = [];

    /// <summary>Tells every subscriber among <paramref name="memberUuids"/> that <paramref name="messageGroupUuid"/> has a new message.</summary>
    public void Publish(Guid messageGroupUuid, IEnumerable<Guid> memberUuids) =>
        Publish(new MessageGroupChange(messageGroupUuid, MessageGroupChange.NewMessage), memberUuids);

    /// <summary>Tells every subscriber among <paramref name="memberUuids"/> of <paramref name="change"/>.</summary>
    public void Publish(MessageGroupChange change, IEnumerable<Guid> memberUuids)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(memberUuids);
        lock (gate)
        {
            foreach (var member in memberUuids)
            {
                if (subscribers.TryGetValue(member, out var list))
                {
                    foreach (var subscription in list)
                    {
                        subscription.Writer.TryWrite(change);
                    }
                }
            }
        }
    }

    /// <summary>What every subscription hears from <see cref="PublishResync"/>.</summary>
    public static readonly MessageGroupChange Resync = new(Guid.Empty, MessageGroupChange.ResyncKind);

    /// <summary>Tells every subscriber to re-read everything: changes may have gone unheard (an outage of the backplane).</summary>
    public void PublishResync()
    {
        lock (gate)
        {
            foreach (var subscription in subscribers.Values.SelectMany(list => list))
            {
                subscription.Writer.TryWrite(Resync);
            }
        }
    }

    /// <summary>Starts hearing the changes of <paramref name="userUuid"/>'s groups until the subscription is disposed.</summary>
    public MessageGroupSubscription Subscribe(Guid userUuid)
    {
        var subscription = new MessageGroupSubscription(this, userUuid);
        lock (gate)
        {
            if (!subscribers.TryGetValue(userUuid, out var list))
            {
                subscribers[userUuid] = list = [];
            }

            list.Add(subscription);
        }

        return subscription;
    }

    /// <summary>How many subscriptions are open (for tests and diagnostics).</summary>
    public int SubscriptionCount
    {
        get
        {
            lock (gate)
            {
                return subscribers.Values.Sum(list => list.Count);
            }
        }
    }

    internal void Remove(MessageGroupSubscription subscription)
    {
        lock (gate)
        {
            if (subscribers.TryGetValue(subscription.UserUuid, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                subscribers.Remove(subscription.UserUuid);
            }
        }
    }
}

/// <summary>One listener's queue of group changes (bounded, oldest dropped first).</summary>
public sealed class MessageGroupSubscription : IDisposable
{
    private readonly MessageGroupChanges owner;
    private readonly Channel<MessageGroupChange> channel = Channel.CreateBounded<MessageGroupChange>(
        new BoundedChannelOptions(MessageGroupChanges.SubscriberCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    internal MessageGroupSubscription(MessageGroupChanges owner, Guid userUuid)
    {
        this.owner = owner;
        UserUuid = userUuid;
    }

    /// <summary>The user whose groups this hears.</summary>
    public Guid UserUuid { get; }

    /// <summary>The changes, in the order they were published.</summary>
    public ChannelReader<MessageGroupChange> Reader => channel.Reader;

    internal ChannelWriter<MessageGroupChange> Writer => channel.Writer;

    /// <summary>Stops hearing changes.</summary>
    public void Dispose()
    {
        owner.Remove(this);
        channel.Writer.TryComplete();
    }
}
