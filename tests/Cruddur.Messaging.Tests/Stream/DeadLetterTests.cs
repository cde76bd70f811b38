using Amazon.DynamoDBv2.Model;
using Cruddur.Local.StreamProcessor;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Cruddur.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Messaging.Tests.Stream;

/// <summary>
/// The records the local processor passes over after its attempts are kept as dead letters, through the real stream
/// of DynamoDB Local: a message written straight into a group without group rows fails every attempt of pattern E.
/// </summary>
public sealed class DeadLetterTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_record_that_fails_every_attempt_is_kept_with_its_error_and_the_processor_goes_on()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        var (good, broken) = await TwoConversationsAsync(scenario);
        var lost = await scenario.PostAsync(broken, broken.A, "into a group without rows", StreamScenario.T0.AddMinutes(1), Token);
        var later = await scenario.PostAsync(good, good.B, "after the broken one", StreamScenario.T0.AddMinutes(2), Token);
        await using var provider = CreateServices(scenario);
        var processor = provider.GetRequiredService<LocalStreamProcessor>();

        var read = await processor.CatchUpAsync(Token);

        await scenario.ShouldShowAsync(good, later, Token);
        var letter = (await provider.GetRequiredService<DeadLetters>().ListAsync(Token)).ShouldHaveSingleItem();
        letter.MessageGroupUuid.ShouldBe(broken.Uuid);
        letter.MessageUuid.ShouldBe(lost.Uuid);
        letter.Error.ShouldContain("No group rows found");
        letter.Attempts.ShouldBe(2);
        letter.ShardId.ShouldNotBeNullOrEmpty();
        (await processor.CatchUpAsync(Token)).ShouldBeLessThan(read, "the checkpoint moved past the passed-over record");
        (await provider.GetRequiredService<DeadLetters>().ListAsync(Token)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task When_the_dead_letter_cannot_be_written_the_batch_is_not_checkpointed_and_is_read_again()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        var (_, broken) = await TwoConversationsAsync(scenario);
        // A message item just under DynamoDB's 400 KB item limit: its record, kept whole, cannot fit in one item.
        var message = broken.Message(broken.A, "", StreamScenario.T0.AddMinutes(1));
        var size = MessageItems.Message(message).Sum(attribute => attribute.Key.Length + System.Text.Encoding.UTF8.GetByteCount(attribute.Value.S));
        await scenario.PostAsync(broken, broken.A, new string('x', (400 * 1024) - 100 - size), message.CreatedAt, Token);
        await using var provider = CreateServices(scenario);
        var processor = provider.GetRequiredService<LocalStreamProcessor>();

        var refused = await Should.ThrowAsync<Amazon.DynamoDBv2.AmazonDynamoDBException>(() => processor.CatchUpAsync(Token));

        refused.Message.ShouldContain("size", Case.Insensitive, "the dead letter's put was refused, not another call");
        (await CheckpointItemsAsync(scenario)).ShouldBeEmpty("the batch holding the record that could not be kept is not checkpointed");
        (await DeadLetterItemsAsync(scenario)).ShouldBeEmpty();
        await Should.ThrowAsync<Amazon.DynamoDBv2.AmazonDynamoDBException>(() => processor.CatchUpAsync(Token));
    }

    [Fact]
    public async Task A_dead_letter_item_stays_out_of_the_group_index_and_a_second_write_keeps_one_item()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        var (_, broken) = await TwoConversationsAsync(scenario);
        var lost = await scenario.PostAsync(broken, broken.A, "kept", StreamScenario.T0.AddMinutes(1), Token);
        await using var provider = CreateServices(scenario);
        await provider.GetRequiredService<LocalStreamProcessor>().CatchUpAsync(Token);
        var deadLetters = provider.GetRequiredService<DeadLetters>();
        var record = StreamScenario.Insert(lost);

        await deadLetters.KeepAsync("label", "shard", record, "first", 1, Token);
        await deadLetters.KeepAsync("label", "shard", record, "second", 2, Token);

        var items = await DeadLetterItemsAsync(scenario);
        items.Count.ShouldBe(2, "the processor's and one for the record kept twice");
        items.ShouldAllBe(item => !item.ContainsKey(MessageTableKeys.MessageGroupUuid));
        items.Single(item => item[MessageTableKeys.SequenceNumber].S == record.SequenceNumber)[MessageTableKeys.LastError].S.ShouldBe("second");
        var index = await scenario.DynamoDb.QueryAsync(
            new QueryRequest
            {
                TableName = scenario.TableName,
                IndexName = MessageTableKeys.GroupIndexName,
                KeyConditionExpression = "message_group_uuid = :g",
                ExpressionAttributeValues = new() { [":g"] = MessageItems.S(broken.Uuid.ToString("D")) },
            },
            Token);
        (index.Items ?? []).ShouldBeEmpty();
    }

    [Fact]
    public async Task Replay_after_the_cause_is_fixed_moves_the_rows_and_deletes_the_dead_letter()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        var (_, broken) = await TwoConversationsAsync(scenario);
        var lost = await scenario.PostAsync(broken, broken.B, "replayed", StreamScenario.T0.AddMinutes(1), Token);
        await using var provider = CreateServices(scenario);
        await provider.GetRequiredService<LocalStreamProcessor>().CatchUpAsync(Token);
        var deadLetters = provider.GetRequiredService<DeadLetters>();
        (await deadLetters.ListAsync(Token)).ShouldHaveSingleItem();

        await WriteGroupRowsAsync(scenario, broken);
        var results = await deadLetters.ReplayAsync(Token);

        var result = results.ShouldHaveSingleItem();
        result.Replayed.ShouldBeTrue(result.Error);
        result.DeadLetter.MessageUuid.ShouldBe(lost.Uuid);
        await scenario.ShouldShowAsync(broken, lost, Token);
        (await deadLetters.ListAsync(Token)).ShouldBeEmpty();
        (await deadLetters.ReplayAsync(Token)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Replay_of_a_record_that_still_fails_keeps_it_and_says_why()
    {
        await using var scenario = await StreamScenario.CreateAsync(services, Token);
        var (_, broken) = await TwoConversationsAsync(scenario);
        await scenario.PostAsync(broken, broken.A, "still broken", StreamScenario.T0.AddMinutes(1), Token);
        await using var provider = CreateServices(scenario);
        await provider.GetRequiredService<LocalStreamProcessor>().CatchUpAsync(Token);
        var deadLetters = provider.GetRequiredService<DeadLetters>();

        var result = (await deadLetters.ReplayAsync(Token)).ShouldHaveSingleItem();

        result.Replayed.ShouldBeFalse();
        result.Error.ShouldNotBeNull().ShouldContain("No group rows found");
        (await deadLetters.ListAsync(Token)).ShouldHaveSingleItem().MessageGroupUuid.ShouldBe(broken.Uuid);
    }

    /// <summary>A conversation with its group rows, and one of the same users whose rows were never written.</summary>
    private static async Task<(Conversation Good, Conversation Broken)> TwoConversationsAsync(StreamScenario scenario)
    {
        var good = await scenario.SeedConversationAsync(Token);
        return (good, good with { Uuid = Guid.NewGuid() });
    }

    private static async Task WriteGroupRowsAsync(StreamScenario scenario, Conversation conversation)
    {
        await scenario.PutAsync(MessageItems.GroupRow(conversation.A.Uuid, new MessageGroup(conversation.Uuid, conversation.B, "first", StreamScenario.T0)), Token);
        await scenario.PutAsync(MessageItems.GroupRow(conversation.B.Uuid, new MessageGroup(conversation.Uuid, conversation.A, "first", StreamScenario.T0)), Token);
    }

    private static ServiceProvider CreateServices(StreamScenario scenario) =>
        scenario.CreateServices(services => services
            .AddLocalStreamProcessor()
            .Configure<LocalStreamProcessorOptions>(options => options.MaxAttempts = 2));

    private static Task<List<Dictionary<string, AttributeValue>>> DeadLetterItemsAsync(StreamScenario scenario) =>
        PartitionAsync(scenario, MessageTableKeys.DeadLetterPk);

    private static async Task<List<Dictionary<string, AttributeValue>>> CheckpointItemsAsync(StreamScenario scenario)
    {
        var label = (await scenario.DynamoDb.DescribeTableAsync(scenario.TableName, Token)).Table.LatestStreamLabel;
        return await PartitionAsync(scenario, MessageTableKeys.StreamCheckpointPk(label));
    }

    private static async Task<List<Dictionary<string, AttributeValue>>> PartitionAsync(StreamScenario scenario, string pk) =>
        (await scenario.DynamoDb.QueryAsync(
            new QueryRequest
            {
                TableName = scenario.TableName,
                ConsistentRead = true,
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new() { [":pk"] = MessageItems.S(pk) },
            },
            Token)).Items ?? [];
}
