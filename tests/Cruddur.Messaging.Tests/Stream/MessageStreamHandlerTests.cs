using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Messaging.Tests.Stream;

public sealed class MessageStreamHandlerTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shuffled_batch_moves_every_groups_rows_to_its_newest_message()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var conversations = new List<(Conversation Conversation, Message Newest)>();
        var records = new List<StreamRecord>();
        for (var g = 0; g < 4; g++)
        {
            var conversation = await scenario.SeedConversationAsync(Token);
            var messages = Enumerable.Range(1, 3)
                .Select(i => conversation.Message(i % 2 == 0 ? conversation.A : conversation.B, $"group {g} message {i}", StreamScenario.T0.AddSeconds(i)))
                .ToList();
            records.AddRange(messages.Select(StreamScenario.Insert));
            conversations.Add((conversation, messages[^1]));
        }

        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(records));
        var response = await Handler(provider).HandleAsync(records, Token);

        response.BatchItemFailures.ShouldBeEmpty();
        foreach (var (conversation, newest) in conversations)
        {
            await scenario.ShouldShowAsync(conversation, newest, Token);
        }
    }

    [Fact]
    public async Task The_same_batch_twice_changes_nothing_the_second_time()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var conversation = await scenario.SeedConversationAsync(Token);
        var first = conversation.Message(conversation.A, "one", StreamScenario.T0.AddSeconds(1));
        var second = conversation.Message(conversation.B, "two", StreamScenario.T0.AddSeconds(2));
        StreamRecord[] batch = [StreamScenario.Insert(first), StreamScenario.Insert(second)];
        var recorder = provider.GetRequiredService<ConsumedCapacityRecorder>();

        (await Handler(provider).HandleAsync(batch, Token)).BatchItemFailures.ShouldBeEmpty();
        await scenario.ShouldShowAsync(conversation, second, Token);
        var writesAfterFirst = StreamScenario.StreamWriteUnits(recorder);
        (await Handler(provider).HandleAsync(batch, Token)).BatchItemFailures.ShouldBeEmpty();

        await scenario.ShouldShowAsync(conversation, second, Token);
        writesAfterFirst.ShouldBeGreaterThan(0);
        StreamScenario.StreamWriteUnits(recorder).ShouldBe(writesAfterFirst, "a replayed batch must write nothing");
    }

    [Fact]
    public async Task An_older_message_after_a_newer_one_leaves_the_rows_at_the_newer()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var conversation = await scenario.SeedConversationAsync(Token);
        var older = conversation.Message(conversation.A, "older", StreamScenario.T0.AddSeconds(1));
        var newer = conversation.Message(conversation.B, "newer", StreamScenario.T0.AddSeconds(2));

        (await Handler(provider).HandleAsync([StreamScenario.Insert(newer)], Token)).BatchItemFailures.ShouldBeEmpty();
        (await Handler(provider).HandleAsync([StreamScenario.Insert(older)], Token)).BatchItemFailures.ShouldBeEmpty();

        await scenario.ShouldShowAsync(conversation, newer, Token);
    }

    [Fact]
    public async Task Two_handlers_on_one_group_at_once_leave_one_row_per_owner_at_the_newest()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var one = scenario.CreateServices();
        await using var two = scenario.CreateServices();
        var cases = new List<(Conversation Conversation, Message Newest)>();
        var runs = new List<Task<StreamBatchResponse>>();
        for (var g = 0; g < 8; g++)
        {
            var conversation = await scenario.SeedConversationAsync(Token);
            var older = conversation.Message(conversation.A, "older", StreamScenario.T0.AddSeconds(1));
            var newer = conversation.Message(conversation.B, "newer", StreamScenario.T0.AddSeconds(2));
            cases.Add((conversation, newer));

            // Each handler sees its own message, and the newer one twice: races between moves and between replays.
            runs.Add(Handler(one).HandleAsync([StreamScenario.Insert(older)], Token));
            runs.Add(Handler(two).HandleAsync([StreamScenario.Insert(newer)], Token));
            runs.Add(Handler(one).HandleAsync([StreamScenario.Insert(newer)], Token));
        }

        foreach (var response in await Task.WhenAll(runs))
        {
            response.BatchItemFailures.ShouldBeEmpty();
        }

        foreach (var (conversation, newest) in cases)
        {
            await scenario.ShouldShowAsync(conversation, newest, Token);
        }
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    public async Task Rows_another_handler_moved_behind_a_warm_handlers_back_end_as_one_row_per_owner_at_the_newest(int otherAt, int warmAt)
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var one = scenario.CreateServices();
        await using var two = scenario.CreateServices();
        var conversation = await scenario.SeedConversationAsync(Token);
        var first = conversation.Message(conversation.A, "first", StreamScenario.T0.AddSeconds(1));
        var byOther = conversation.Message(conversation.B, "moved by the other", StreamScenario.T0.AddSeconds(otherAt));
        var byWarm = conversation.Message(conversation.A, "moved from remembered rows", StreamScenario.T0.AddSeconds(warmAt));
        (await Handler(one).HandleAsync([StreamScenario.Insert(first)], Token)).BatchItemFailures.ShouldBeEmpty();
        var recorder = one.GetRequiredService<ConsumedCapacityRecorder>();
        recorder.Reset();

        (await Handler(two).HandleAsync([StreamScenario.Insert(byOther)], Token)).BatchItemFailures.ShouldBeEmpty();
        (await Handler(one).HandleAsync([StreamScenario.Insert(byWarm)], Token)).BatchItemFailures.ShouldBeEmpty();

        recorder.Calls.Keys.ShouldNotContain("E.query_rows", "the first handler moved from the rows it remembered");
        recorder.Calls.Keys.ShouldContain("E.repair_query", "the remembered rows were gone, so the delete failed and the repair read the rows");
        await scenario.ShouldShowAsync(conversation, otherAt > warmAt ? byOther : byWarm, Token);
    }

    [Fact]
    public async Task A_poisoned_record_is_reported_alone_while_the_rest_succeed()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var first = await scenario.SeedConversationAsync(Token);
        var second = await scenario.SeedConversationAsync(Token);
        var good1 = first.Message(first.A, "good one", StreamScenario.T0.AddSeconds(1));
        var good2 = second.Message(second.B, "good two", StreamScenario.T0.AddSeconds(1));
        var poisonedItem = MessageItems.Message(first.Message(first.B, "bad time", StreamScenario.T0.AddSeconds(5)));
        poisonedItem["sk"] = MessageItems.S("not a time");
        var poisoned = StreamScenario.Insert(poisonedItem);

        var response = await Handler(provider).HandleAsync([StreamScenario.Insert(good1), poisoned, StreamScenario.Insert(good2)], Token);

        response.BatchItemFailures.ShouldHaveSingleItem().ItemIdentifier.ShouldBe(poisoned.SequenceNumber);
        await scenario.ShouldShowAsync(first, good1, Token);
        await scenario.ShouldShowAsync(second, good2, Token);
    }

    [Fact]
    public async Task A_message_of_a_group_without_rows_is_reported_for_a_retry()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var seeded = await scenario.SeedConversationAsync(Token);
        var unseeded = new Conversation(Guid.NewGuid(), seeded.A, seeded.B);
        var lonely = StreamScenario.Insert(unseeded.Message(seeded.A, "nobody's rows", StreamScenario.T0.AddSeconds(1)));
        var fine = seeded.Message(seeded.B, "fine", StreamScenario.T0.AddSeconds(1));

        var response = await Handler(provider).HandleAsync([lonely, StreamScenario.Insert(fine)], Token);

        response.BatchItemFailures.ShouldHaveSingleItem().ItemIdentifier.ShouldBe(lonely.SequenceNumber);
        await scenario.ShouldShowAsync(seeded, fine, Token);
    }

    [Fact]
    public async Task Both_members_hear_of_a_group_once_its_rows_moved_and_no_one_of_a_failed_group()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var seeded = await scenario.SeedConversationAsync(Token);
        var unseeded = new Conversation(Guid.NewGuid(), seeded.A, seeded.B);
        var changes = provider.GetRequiredService<MessageGroupChanges>();
        using var a = changes.Subscribe(seeded.A.Uuid);
        using var b = changes.Subscribe(seeded.B.Uuid);

        await Handler(provider).HandleAsync(
            [StreamScenario.Insert(unseeded.Message(seeded.A, "nobody's rows", StreamScenario.T0.AddSeconds(1))),
             StreamScenario.Insert(seeded.Message(seeded.A, "one", StreamScenario.T0.AddSeconds(1))),
             StreamScenario.Insert(seeded.Message(seeded.B, "two", StreamScenario.T0.AddSeconds(2)))],
            Token);

        foreach (var subscription in new[] { a, b })
        {
            subscription.Reader.TryRead(out var group).ShouldBeTrue();
            group.ShouldBe(new MessageGroupChange(seeded.Uuid, MessageGroupChange.NewMessage));
            subscription.Reader.TryRead(out _).ShouldBeFalse(); // one per group and batch, none for the failed group
        }
    }

    [Fact]
    public async Task A_group_with_one_participants_row_moves_it_and_is_reported_for_a_retry()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var conversation = new Conversation(Guid.NewGuid(), (await scenario.SeedConversationAsync(Token)).A, (await scenario.SeedConversationAsync(Token)).B);
        await scenario.PutAsync(MessageItems.GroupRow(conversation.A.Uuid, new MessageGroup(conversation.Uuid, conversation.B, "first", StreamScenario.T0)), Token);
        var message = StreamScenario.Insert(conversation.Message(conversation.B, "half there", StreamScenario.T0.AddSeconds(1)));

        var response = await Handler(provider).HandleAsync([message], Token);

        response.BatchItemFailures.ShouldHaveSingleItem().ItemIdentifier.ShouldBe(message.SequenceNumber);
        var row = (await scenario.RowsAsync(conversation, Token))[conversation.A.Uuid].ShouldHaveSingleItem();
        row.LastMessage.ShouldBe("half there");
    }

    [Fact]
    public async Task Remove_and_modify_records_and_other_items_change_nothing()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var conversation = await scenario.SeedConversationAsync(Token, StreamScenario.T0.AddSeconds(1));
        var seededRow = new Message(Guid.Empty, conversation.Uuid, "first", conversation.A, StreamScenario.T0.AddSeconds(1));
        var later = MessageItems.Message(conversation.Message(conversation.A, "later", StreamScenario.T0.AddSeconds(9)));
        var edited = new Dictionary<string, AttributeValue>(later) { ["message"] = MessageItems.S("edited") };
        var otherRow = MessageItems.GroupRow(Guid.NewGuid(), new MessageGroup(conversation.Uuid, conversation.A, "stray", StreamScenario.T0.AddSeconds(9)));
        var group = MessageItems.Group(conversation.Uuid, conversation.A.Uuid, conversation.B.Uuid, StreamScenario.T0);
        var pair = MessageItems.Pair(conversation.A.Uuid, conversation.B.Uuid, conversation.Uuid, StreamScenario.T0);
        var readMarker = new Dictionary<string, AttributeValue>
        {
            ["pk"] = MessageItems.S(MessageTableKeys.MessagesPk(conversation.Uuid)),
            ["sk"] = MessageItems.S(MessageTableKeys.ReadMarkerSk),
            [MessageTableKeys.ReadMarkerAttribute(conversation.B.Uuid)] = MessageItems.S("2026-01-01T00:00:09.000000+00:00"),
        };
        StreamRecord[] batch =
        [
            StreamScenario.Record("REMOVE", later, newImage: null, oldImage: later),
            StreamScenario.Record("MODIFY", later, newImage: edited, oldImage: later),
            StreamScenario.Insert(otherRow),
            StreamScenario.Insert(group),
            StreamScenario.Insert(pair),
            StreamScenario.Insert(readMarker),
        ];
        var recorder = provider.GetRequiredService<ConsumedCapacityRecorder>();

        var response = await Handler(provider).HandleAsync(batch, Token);

        response.BatchItemFailures.ShouldBeEmpty();
        recorder.Calls.Keys.ShouldBeEmpty("no DynamoDB call for records that are not new messages");
        await scenario.ShouldShowAsync(conversation, seededRow, Token);
    }

    [Fact]
    public async Task A_crash_between_put_and_delete_is_repaired_by_the_next_run()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        await using var provider = scenario.CreateServices();
        var conversation = await scenario.SeedConversationAsync(Token);
        var moved = conversation.Message(conversation.B, "moved", StreamScenario.T0.AddSeconds(1));

        // As a handler that died after its put: A's new row exists, A's old row too.
        await scenario.PutAsync(MessageItems.GroupRow(conversation.A.Uuid, new MessageGroup(conversation.Uuid, conversation.B, moved.Text, moved.CreatedAt)), Token);
        (await scenario.RowsAsync(conversation, Token))[conversation.A.Uuid].Count.ShouldBe(2);

        (await Handler(provider).HandleAsync([StreamScenario.Insert(moved)], Token)).BatchItemFailures.ShouldBeEmpty();

        await scenario.ShouldShowAsync(conversation, moved, Token);
    }

    private static MessageStreamHandler Handler(IServiceProvider provider) => provider.GetRequiredService<MessageStreamHandler>();
}
