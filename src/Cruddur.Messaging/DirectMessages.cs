using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging;

/// <summary>
/// The access patterns A–D for a signed-in user. Refusals come back as <see cref="MessagingError"/>s with
/// stable codes (<see cref="MessagingErrorCodes"/>); a group the caller is not a member of is reported as not found,
/// exactly like a group that does not exist. Nothing is written when a request is refused.
/// </summary>
public sealed class DirectMessages
{
    // A pair's group is created at most once; a few rounds cover losing the race to the other side and a taken microsecond.
    private const int MaxNewGroupAttempts = 8;

    private readonly MessageTable table;
    private readonly GroupMembership membership;
    private readonly UserStore users;
    private readonly ReadPositions readPositions;
    private readonly IMessageGroupChangePublisher changes;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<DirectMessages> logger;

    /// <summary>Creates the patterns; <c>AddCruddurMessaging()</c> registers them.</summary>
    internal DirectMessages(
        MessageTable table,
        GroupMembership membership,
        UserStore users,
        ReadPositions readPositions,
        IMessageGroupChangePublisher changes,
        TimeProvider timeProvider,
        ILogger<DirectMessages> logger)
    {
        this.table = table;
        this.membership = membership;
        this.users = users;
        this.readPositions = readPositions;
        this.changes = changes;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    /// <summary>A — the messages of a group, the newest page first, each page ordered oldest to newest.</summary>
    public async Task<Outcome<Page<Message>>> ListMessagesAsync(UserSummary me, Guid messageGroupUuid, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(me);
        ArgumentNullException.ThrowIfNull(page);
        var scope = PageCursor.MessagesScope(me.Uuid, messageGroupUuid);
        var startAfter = (string?)null;
        if ((MessageValidator.Limit(page.Limit) ?? MessageValidator.GroupUuid(messageGroupUuid) ?? Cursor(page, scope, out startAfter)) is { } invalid)
        {
            return invalid;
        }

        if (!await membership.IsMemberAsync(messageGroupUuid, me.Uuid, cancellationToken))
        {
            return MessageValidator.GroupNotFound();
        }

        var (rows, marker) = await table.QueryMessagesAsync(messageGroupUuid, startAfter, page.Limit, cancellationToken);
        var otherReadAt = marker.ReadByOthers(me.Uuid);
        var messages = rows.Items.Reverse().Select(message => message with { ReadByOther = message.CreatedAt <= otherReadAt }).ToArray();
        return new Page<Message>(messages, NextCursor(scope, rows));
    }

    /// <summary>
    /// Marks a group I belong to read up to the message created at <paramref name="upTo"/> (a timestamp as messages
    /// carry it), or up to its newest message when null; never past the newest, never backwards, idempotent.
    /// Answers whether the position moved; when it did, both members' listeners hear a <c>read</c> change.
    /// </summary>
    public async Task<Outcome<bool>> MarkReadAsync(UserSummary me, Guid messageGroupUuid, string? upTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(me);
        var position = (DateTimeOffset?)null;
        if (upTo is not null)
        {
            if (!MessageTimestamp.TryParse(upTo.Trim(), out var parsed))
            {
                return MessageValidator.Invalid(MessagingErrorCodes.ReadPositionInvalid, "created_at is not a timestamp.");
            }

            position = parsed;
        }

        if (MessageValidator.GroupUuid(messageGroupUuid) is { } invalid)
        {
            return invalid;
        }

        if (!await membership.IsMemberAsync(messageGroupUuid, me.Uuid, cancellationToken)
            || await readPositions.MarkReadAsync(me.Uuid, messageGroupUuid, position, cancellationToken) is not { } mark)
        {
            return MessageValidator.GroupNotFound();
        }

        if (mark.Moved)
        {
            await changes.PublishAsync(new MessageGroupChange(messageGroupUuid, MessageGroupChange.Read), mark.Members, cancellationToken);
        }

        return mark.Moved;
    }

    /// <summary>The number of unread messages over all my groups (each exact up to <see cref="MessageGroup.MaxUnreadCount"/>).</summary>
    public Task<int> CountUnreadAsync(UserSummary me, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(me);
        return table.CountUnreadAsync(me.Uuid, cancellationToken);
    }

    /// <summary>B — my message groups, newest first.</summary>
    public async Task<Outcome<Page<MessageGroup>>> ListMessageGroupsAsync(UserSummary me, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(me);
        ArgumentNullException.ThrowIfNull(page);
        var scope = PageCursor.GroupsScope(me.Uuid);
        var startAfter = (string?)null;
        if ((MessageValidator.Limit(page.Limit) ?? Cursor(page, scope, out startAfter)) is { } invalid)
        {
            return invalid;
        }

        var rows = await table.QueryGroupsAsync(me.Uuid, startAfter, page.Limit, cancellationToken);
        return new Page<MessageGroup>(rows.Items, NextCursor(scope, rows));
    }

    /// <summary>C — post a message to a group I belong to. The group rows follow through pattern E.</summary>
    public async Task<Outcome<Message>> PostToGroupAsync(UserSummary me, Guid messageGroupUuid, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(me);
        var validText = MessageValidator.Text(text);
        if ((validText.Error ?? MessageValidator.GroupUuid(messageGroupUuid)) is { } invalid)
        {
            return invalid;
        }

        if (!await membership.IsMemberAsync(messageGroupUuid, me.Uuid, cancellationToken))
        {
            return MessageValidator.GroupNotFound();
        }

        var message = new Message(Guid.NewGuid(), messageGroupUuid, validText.Value!, me, Now());
        return await table.PutMessageAsync(message, "C.put_message", cancellationToken);
    }

    /// <summary>
    /// D — message a user by handle (<c>@</c> optional): into the pair's existing group, or into a new one created in one
    /// transaction with both group rows. An unknown handle is <c>handle_unknown</c> of kind NotFound.
    /// </summary>
    public async Task<Outcome<Message>> PostToHandleAsync(UserSummary me, string handle, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(me);
        var validText = MessageValidator.Text(text);
        if (validText.Error is { } invalid)
        {
            return invalid;
        }

        var other = MessageValidator.Handle(handle) is { } stored ? await users.FindByHandleAsync(stored, cancellationToken) : null;
        if (other is null)
        {
            return MessageValidator.UnknownHandle();
        }

        if (other.Uuid == me.Uuid)
        {
            return MessageValidator.Invalid(MessagingErrorCodes.MessageSelf, "You cannot message yourself.");
        }

        var createdAt = Now();
        for (var attempt = 1; ; attempt++)
        {
            if (await table.GetPairGroupAsync(me.Uuid, other.Uuid, cancellationToken) is { } existing)
            {
                membership.Remember(existing, me.Uuid, other.Uuid);
                var message = new Message(Guid.NewGuid(), existing, validText.Value!, me, createdAt);
                return await table.PutMessageAsync(message, "D.put_message", cancellationToken);
            }

            var first = new Message(Guid.NewGuid(), Guid.NewGuid(), validText.Value!, me, createdAt);
            var result = await table.CreateGroupAsync(first, other.Summary, cancellationToken);
            if (result == NewGroupResult.Created)
            {
                // Not remembered from our own write: the first C into it reads the group item (see GroupMembership).
                return first;
            }

            logger.NewGroupCancelled(result, attempt);
            if (attempt >= MaxNewGroupAttempts)
            {
                throw new InvalidOperationException($"No message group for @{me.Handle} and @{other.Handle} after {attempt} attempts ({result}).");
            }

            if (result == NewGroupResult.RowTimeTaken)
            {
                createdAt = MessageTimestamp.NextMicrosecond(createdAt);
            }
            else if (result == NewGroupResult.Conflict)
            {
                // The other side's transaction is still in flight: give it a moment to commit, then read the pair again.
                await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt), cancellationToken);
            }
        }
    }

    private DateTimeOffset Now() => MessageTimestamp.TruncateToMicroseconds(timeProvider.GetUtcNow());

    private static MessagingError? Cursor(PageRequest page, string scope, out string? startAfter)
    {
        startAfter = null;
        if (string.IsNullOrEmpty(page.Cursor))
        {
            return null;
        }

        if (PageCursor.TryDecode(page.Cursor, scope, out var sortKey))
        {
            startAfter = sortKey;
            return null;
        }

        return MessageValidator.Invalid(MessagingErrorCodes.CursorInvalid, "The cursor is not valid for this list.");
    }

    private static string? NextCursor<T>(string scope, RowsPage<T> rows) =>
        rows.LastSortKey is { } sortKey ? PageCursor.Encode(scope, sortKey) : null;
}
