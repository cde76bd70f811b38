using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Time;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Messaging.Tests.Stream;

/// <summary>
/// Unread counts and read positions on DynamoDB Local: pattern E raises them, a mark-read lowers them, and after any
/// order of the two the count is the other participant's messages newer than the read position.
/// </summary>
public sealed class UnreadCountTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_both_ways_count_for_the_participant_who_did_not_send_them()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        (await world.UnreadAsync(c.B, c)).ShouldBe(0, "rows written without a read state read as nothing unread");

        await world.HandleAsync(c.Message(c.A, "one", At(1)), c.Message(c.A, "two", At(2)), c.Message(c.B, "three", At(3)));

        (await world.UnreadAsync(c.B, c)).ShouldBe(2);
        (await world.UnreadAsync(c.A, c)).ShouldBe(1);
        (await world.Messaging.CountUnreadAsync(c.B, Token)).ShouldBe(2);
        await world.Scenario.ShouldShowAsync(c, c.Message(c.B, "three", At(3)) with { Uuid = Guid.Empty }, Token);
    }

    [Fact]
    public async Task Marking_read_clears_the_count_is_idempotent_and_never_moves_backwards()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        await world.HandleAsync(c.Message(c.A, "one", At(1)), c.Message(c.A, "two", At(2)));

        (await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token)).Value.ShouldBeTrue();
        (await world.UnreadAsync(c.B, c)).ShouldBe(0);
        (await world.UnreadAsync(c.A, c)).ShouldBe(0, "Alice sent them");

        (await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token)).Value.ShouldBeFalse("already read: nothing to write");
        (await world.Messaging.MarkReadAsync(c.B, c.Uuid, MessageTimestamp.Format(At(1)), Token)).Value.ShouldBeFalse("never backwards");
        (await world.ReadAtAsync(c.B, c)).ShouldBe(At(2));

        await world.HandleAsync(c.Message(c.A, "three", At(3)));
        (await world.UnreadAsync(c.B, c)).ShouldBe(1, "a message after the read position counts again");
    }

    [Fact]
    public async Task Reading_up_to_a_message_leaves_the_newer_ones_unread_and_shows_the_sender_how_far()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        await world.HandleAsync(c.Message(c.A, "one", At(1)), c.Message(c.A, "two", At(2)), c.Message(c.A, "three", At(3)));

        (await world.Messaging.MarkReadAsync(c.B, c.Uuid, MessageTimestamp.Format(At(2)), Token)).Value.ShouldBeTrue();
        (await world.UnreadAsync(c.B, c)).ShouldBe(1);

        await world.PutMessagesAsync(c, c.Message(c.A, "one", At(1)), c.Message(c.A, "two", At(2)), c.Message(c.A, "three", At(3)));
        var page = (await world.Messaging.ListMessagesAsync(c.A, c.Uuid, new PageRequest(), Token)).Value!;
        page.Items.Select(message => message.ReadByOther).ShouldBe([true, true, false]);
        var bobsView = (await world.Messaging.ListMessagesAsync(c.B, c.Uuid, new PageRequest(), Token)).Value!;
        bobsView.Items.ShouldAllBe(message => !message.ReadByOther, "Alice has read nothing");
    }

    [Fact]
    public async Task A_read_position_past_the_newest_message_stops_at_the_newest()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        await world.HandleAsync(c.Message(c.A, "one", At(1)));

        (await world.Messaging.MarkReadAsync(c.B, c.Uuid, MessageTimestamp.Format(At(100)), Token)).Value.ShouldBeTrue();
        (await world.ReadAtAsync(c.B, c)).ShouldBe(At(1));

        await world.HandleAsync(c.Message(c.A, "two", At(2)));
        (await world.UnreadAsync(c.B, c)).ShouldBe(1);
    }

    [Fact]
    public async Task Replayed_and_late_records_count_once()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        var one = c.Message(c.A, "one", At(1));
        var two = c.Message(c.A, "two", At(2));
        var three = c.Message(c.A, "three", At(3));

        await world.HandleAsync(one, three);
        await world.HandleAsync(one, three);
        await world.HandleAsync(three);
        (await world.UnreadAsync(c.B, c)).ShouldBe(2);

        // Committed after a newer one (two senders in the same millisecond): older than the row, still unread.
        await world.HandleAsync(two);
        await world.HandleAsync(two);
        (await world.UnreadAsync(c.B, c)).ShouldBe(3);

        await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token);
        await world.HandleAsync(one, two, three);
        (await world.UnreadAsync(c.B, c)).ShouldBe(0, "records of read messages replayed after the read");
    }

    [Fact]
    public async Task A_read_that_landed_on_the_row_being_moved_is_merged_not_lost()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        var one = c.Message(c.A, "one", At(1));
        await world.HandleAsync(one);

        // The state pattern E leaves after its put and before its delete, with Bob's read landing on the old row:
        // the old row (at one) read up to one, the new row (at two, copied before the read) with both unread.
        var two = c.Message(c.A, "two", At(2));
        var old = (await world.RawRowsAsync(c.B, c)).ShouldHaveSingleItem();
        var read = GroupRowReadState.Of(old).ReadUpTo(At(1)) with { Version = 1 };
        var moved = GroupRowReadState.Of(old).WithMessages([At(2)]).WriteTo(MessageItems.MovedGroupRow(old, At(2), "two"));
        await world.Scenario.PutAsync(moved, Token);
        var oldRead = read.WriteTo(old);
        oldRead[MessageTableKeys.ReadVersion] = new AttributeValue { N = "1" };
        await world.Scenario.PutAsync(oldRead, Token);

        await world.HandleAsync(two);

        (await world.RawRowsAsync(c.B, c)).ShouldHaveSingleItem();
        (await world.UnreadAsync(c.B, c)).ShouldBe(1);
        (await world.ReadAtAsync(c.B, c)).ShouldBe(At(1));
    }

    [Fact]
    public async Task A_read_between_two_moves_keeps_its_position_when_the_second_move_uses_remembered_rows()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        await world.HandleAsync(c.Message(c.A, "one", At(1)));
        (await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token)).Value.ShouldBeTrue();
        var recorder = world.Provider.GetRequiredService<ConsumedCapacityRecorder>();
        recorder.Reset();

        await world.HandleAsync(c.Message(c.A, "two", At(2)));

        recorder.Calls.Keys.ShouldNotContain("E.query_rows", "the handler moved the rows last and remembers them");
        recorder.Calls.Keys.ShouldContain("E.repair_query", "the read raised the row's read_version, so the delete failed and the repair merged");
        (await world.ReadAtAsync(c.B, c)).ShouldBe(At(1));
        (await world.UnreadAsync(c.B, c)).ShouldBe(1);
        await world.ShouldCountPastReadPositionAsync(c, [At(1), At(2)]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_message_and_a_read_in_either_order_end_with_the_count_of_messages_past_the_position(bool readFirst)
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        await world.HandleAsync(c.Message(c.A, "one", At(1)));
        var two = c.Message(c.A, "two", At(2));
        if (readFirst)
        {
            await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token);
            await world.HandleAsync(two);
        }
        else
        {
            await world.HandleAsync(two);
            await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token);
        }

        (await world.UnreadAsync(c.B, c)).ShouldBe(readFirst ? 1 : 0);
        await world.ShouldCountPastReadPositionAsync(c, [At(1), At(2)]);
    }

    [Fact]
    public async Task Messages_and_reads_at_the_same_time_end_with_the_count_of_messages_past_the_position()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        var sent = new List<DateTimeOffset>();
        for (var i = 1; i <= 12; i++)
        {
            var message = c.Message(c.A, $"m{i}", At(i));
            sent.Add(message.CreatedAt);
            await Task.WhenAll(
                world.HandleAsync(message),
                world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token),
                world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token));
            await world.ShouldCountPastReadPositionAsync(c, sent);
        }
    }

    [Fact]
    public async Task A_read_that_moves_the_position_tells_both_members_and_a_repeated_one_tells_no_one()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        var changes = world.Provider.GetRequiredService<MessageGroupChanges>();
        using var alice = changes.Subscribe(c.A.Uuid);
        using var bob = changes.Subscribe(c.B.Uuid);
        await world.HandleAsync(c.Message(c.A, "one", At(1)));
        while (alice.Reader.TryRead(out _) || bob.Reader.TryRead(out _))
        {
        }

        await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token);
        await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token);

        foreach (var subscription in new[] { alice, bob })
        {
            subscription.Reader.TryRead(out var change).ShouldBeTrue();
            change.ShouldBe(new MessageGroupChange(c.Uuid, MessageGroupChange.Read));
            subscription.Reader.TryRead(out _).ShouldBeFalse("the second read moved nothing");
        }
    }

    [Fact]
    public async Task The_count_stops_at_its_cap()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        var messages = Enumerable.Range(1, MessageGroup.MaxUnreadCount + 5).Select(i => c.Message(c.A, $"m{i}", At(i))).ToArray();

        await world.HandleAsync(messages);

        (await world.UnreadAsync(c.B, c)).ShouldBe(MessageGroup.MaxUnreadCount);
        await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token);
        (await world.UnreadAsync(c.B, c)).ShouldBe(0);
    }

    [Fact]
    public async Task Non_members_and_bad_positions_are_refused_and_nothing_is_written()
    {
        await using var world = await World.CreateAsync(services);
        var c = await world.Scenario.SeedConversationAsync(Token);
        await world.HandleAsync(c.Message(c.A, "one", At(1)));
        var before = Text(await world.RawRowsAsync(c.B, c));
        var carol = new UserSummary(Guid.NewGuid(), "carol", "Carol");

        (await world.Messaging.MarkReadAsync(carol, c.Uuid, null, Token)).Error!.Code.ShouldBe(MessagingErrorCodes.MessageGroupNotFound);
        (await world.Messaging.MarkReadAsync(c.B, Guid.NewGuid(), null, Token)).Error!.Code.ShouldBe(MessagingErrorCodes.MessageGroupNotFound);
        foreach (var bad in new[] { "", "yesterday", "2026-13-01T00:00:00Z" })
        {
            (await world.Messaging.MarkReadAsync(c.B, c.Uuid, bad, Token)).Error!.Code.ShouldBe(MessagingErrorCodes.ReadPositionInvalid);
        }

        Text(await world.RawRowsAsync(c.B, c)).ShouldBe(before);
        (await world.UnreadAsync(c.B, c)).ShouldBe(1);
    }

    [Fact]
    public async Task A_mark_read_costs_at_most_three_write_units_and_a_message_at_most_nine()
    {
        const int Conversations = 10;
        await using var world = await World.CreateAsync(services);
        var recorder = world.Provider.GetRequiredService<ConsumedCapacityRecorder>();
        var conversations = new List<Conversation>();
        for (var i = 0; i < Conversations; i++)
        {
            var c = await world.Scenario.SeedConversationAsync(Token);
            conversations.Add(c);
            var message = c.Message(c.A, "hi", At(1));
            await world.PutMessagesAsync(c, message);
            await world.HandleAsync(message);
        }

        var messageWrite = (recorder.Totals.Where(total => total.Key.Operation == "test.put_message").Sum(total => total.Value)
            + StreamScenario.StreamWriteUnits(recorder)) / Conversations;
        recorder.Reset();
        foreach (var c in conversations)
        {
            (await world.Messaging.MarkReadAsync(c.B, c.Uuid, null, Token)).Value.ShouldBeTrue();
        }

        // The row (table + GSI) and the group's read marker that pattern A reads with its page.
        var markRead = (Units(recorder, "read.update_row", "write") + Units(recorder, "read.update_marker", "write")) / Conversations;
        var markReadQuery = Units(recorder, "read.query_rows", "read") / Conversations;
        Console.WriteLine($"capacity per message (C put + E): {messageWrite:0.##} WCU | per mark-read: {markRead:0.##} WCU + {markReadQuery:0.##} RCU");
        TestContext.Current.SendDiagnosticMessage($"capacity per message (C put + E): {messageWrite:0.##} WCU | per mark-read: {markRead:0.##} WCU + {markReadQuery:0.##} RCU");

        markRead.ShouldBeGreaterThan(0, "DynamoDB Local reports consumed capacity");
        Units(recorder, "read.update_marker", "write").ShouldBeGreaterThan(0);
        markRead.ShouldBeLessThanOrEqualTo(3);
        messageWrite.ShouldBeGreaterThan(1);
        messageWrite.ShouldBeLessThanOrEqualTo(9);
        recorder.Totals.Keys.ShouldNotContain(key => key.Operation.StartsWith("read.", StringComparison.Ordinal) && key.Operation.Contains("conflict", StringComparison.Ordinal));
    }

    private static double Units(ConsumedCapacityRecorder recorder, string operation, string kind) =>
        recorder.Totals.Where(total => total.Key.Operation == operation && (total.Key.Kind == kind || total.Key.Kind == "units")).Sum(total => total.Value);

    private static string Text(List<Dictionary<string, AttributeValue>> rows) =>
        string.Join("\n", rows.Select(row => string.Join(";", row.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"{pair.Key}={pair.Value.S ?? pair.Value.N ?? string.Join(",", pair.Value.NS ?? [])}"))));

    private static DateTimeOffset At(int seconds) => StreamScenario.T0.AddSeconds(seconds);

    /// <summary>A table, the core and the stream handler on it.</summary>
    private sealed class World : IAsyncDisposable
    {
        private World(StreamScenario scenario)
        {
            Scenario = scenario;
            Provider = scenario.CreateServices();
            Messaging = Provider.GetRequiredService<DirectMessages>();
            Handler = Provider.GetRequiredService<MessageStreamHandler>();
        }

        public StreamScenario Scenario { get; }

        public ServiceProvider Provider { get; }

        public DirectMessages Messaging { get; }

        public MessageStreamHandler Handler { get; }

        public static async Task<World> CreateAsync(LocalServicesFixture services) => new(await StreamScenario.CreateAsync(services, Token));

        public async Task HandleAsync(params Message[] messages) =>
            (await Handler.HandleAsync(messages.Select(StreamScenario.Insert).ToList(), Token)).BatchItemFailures.ShouldBeEmpty();

        /// <summary>Writes message items through the gateway (as pattern C does), recorded as <c>test.put_message</c>.</summary>
        public async Task PutMessagesAsync(Conversation conversation, params Message[] messages)
        {
            var table = Provider.GetRequiredService<MessageTable>();
            foreach (var message in messages)
            {
                await table.PutMessageAsync(message, "test.put_message", Token);
            }
        }

        /// <summary>The owner's unread count as pattern B shows it.</summary>
        public async Task<int> UnreadAsync(UserSummary owner, Conversation conversation)
        {
            var groups = (await Messaging.ListMessageGroupsAsync(owner, new PageRequest(), Token)).Value!.Items;
            return groups.Single(group => group.Uuid == conversation.Uuid).UnreadCount;
        }

        public async Task<DateTimeOffset?> ReadAtAsync(UserSummary owner, Conversation conversation) =>
            GroupRowReadState.Of((await RawRowsAsync(owner, conversation)).ShouldHaveSingleItem()).ReadAt;

        /// <summary>The owner's rows of the conversation as stored, read consistently.</summary>
        public async Task<List<Dictionary<string, AttributeValue>>> RawRowsAsync(UserSummary owner, Conversation conversation) =>
            await Provider.GetRequiredService<MessageTable>().QueryOwnerRowsAsync(
                MessageTableKeys.GroupRowPk(owner.Uuid), conversation.Uuid.ToString("D"), "0", "test.rows", Token);

        /// <summary>The race rule: Bob's count is Alice's messages newer than Bob's read position, and Bob has one row.</summary>
        public async Task ShouldCountPastReadPositionAsync(Conversation conversation, IReadOnlyList<DateTimeOffset> fromAlice)
        {
            var row = (await RawRowsAsync(conversation.B, conversation)).ShouldHaveSingleItem();
            var readAt = GroupRowReadState.Of(row).ReadAt;
            (await UnreadAsync(conversation.B, conversation)).ShouldBe(fromAlice.Count(at => readAt is null || at > readAt), $"read up to {readAt:O}");
        }

        public async ValueTask DisposeAsync()
        {
            await Provider.DisposeAsync();
            await Scenario.DisposeAsync();
        }
    }
}
