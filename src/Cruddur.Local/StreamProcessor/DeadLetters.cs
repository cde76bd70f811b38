using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Local.StreamProcessor;

/// <summary>
/// The stream records the local processor passed over after its attempts, kept as dead-letter items in the messages
/// table (<c>DLQ#</c>), listed, and replayed through the same <see cref="MessageStreamHandler"/> once their cause is
/// fixed. In AWS the function's event source mapping sends such records to its SQS on-failure queue instead.
/// </summary>
public sealed class DeadLetters(TableGateway table, MessageStreamHandler handler, TimeProvider timeProvider)
{
    /// <summary>Every dead letter, in stream order.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await LoadAsync(cancellationToken)).Select(item => Describe(item))];

    /// <summary>
    /// Hands each dead letter, in stream order, to the handler on its own and deletes it once the handler succeeded for
    /// it; one that still fails is kept. Safe to run twice: pattern E is idempotent.
    /// </summary>
    public async Task<IReadOnlyList<ReplayResult>> ReplayAsync(CancellationToken cancellationToken)
    {
        List<ReplayResult> results = [];
        foreach (var item in await LoadAsync(cancellationToken))
        {
            var record = Parse(item.RecordJson);
            var error = record is null
                ? "The kept record is not readable JSON of a stream record."
                : await HandleAsync(record, cancellationToken);
            if (error is null)
            {
                await table.DeleteItemAsync("E.dead_letter_delete", new DeleteItemRequest { Key = Key(item) }, cancellationToken);
            }

            results.Add(new ReplayResult(Describe(item, record), error));
        }

        return results;
    }

    private async Task<string?> HandleAsync(StreamRecord record, CancellationToken cancellationToken) =>
        await handler.HandleWithReasonsAsync([record], cancellationToken) is [var failure, ..] ? failure.Reason : null;

    /// <summary>Keeps a record the processor passes over (a second write of the same record keeps one item).</summary>
    internal Task KeepAsync(string streamLabel, string shardId, StreamRecord record, string error, int attempts, CancellationToken cancellationToken)
    {
        var item = new DeadLetterItem(
            streamLabel,
            shardId,
            record.SequenceNumber,
            JsonSerializer.Serialize(record, StreamEventJsonContext.Default.StreamRecord),
            error,
            attempts,
            timeProvider.GetUtcNow());
        return table.PutItemAsync("E.dead_letter", new PutItemRequest { Item = MessageItems.DeadLetter(item) }, cancellationToken);
    }

    private async Task<List<DeadLetterItem>> LoadAsync(CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            ConsistentRead = true,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = Pk },
            ExpressionAttributeValues = new() { [":pk"] = MessageItems.S(DeadLetterPk) },
        };
        return [.. (await table.QueryAllAsync("E.dead_letter_list", request, cancellationToken))
            .Select(MessageItems.ReadDeadLetter)
            .OfType<DeadLetterItem>()];
    }

    private static Dictionary<string, AttributeValue> Key(DeadLetterItem item) => new()
    {
        [Pk] = MessageItems.S(DeadLetterPk),
        [Sk] = MessageItems.S(DeadLetterSk(item.StreamLabel, item.SequenceNumber)),
    };

    private static StreamRecord? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StreamEventJsonContext.Default.StreamRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DeadLetter Describe(DeadLetterItem item, StreamRecord? record = null)
    {
        record ??= Parse(item.RecordJson);
        var message = record is null ? null : MessageStreamHandler.Read(record, out var read) == MessageStreamHandler.RecordKind.NewMessage ? read : null;
        return new DeadLetter(item.SequenceNumber, item.ShardId, item.StreamLabel, item.KeptAt, item.Attempts, item.Error, message?.MessageGroupUuid, message?.Uuid);
    }
}

/// <summary>A stream record pattern E passed over.</summary>
/// <param name="SequenceNumber">Its sequence number.</param>
/// <param name="ShardId">The shard it was read from.</param>
/// <param name="StreamLabel">The stream it was read from.</param>
/// <param name="KeptAt">When it was passed over.</param>
/// <param name="Attempts">How many times the processor tried it.</param>
/// <param name="Error">Why its last attempt failed.</param>
/// <param name="MessageGroupUuid">The group of the message it names, when it names one.</param>
/// <param name="MessageUuid">The message it names, when it names one.</param>
public sealed record DeadLetter(
    string SequenceNumber,
    string ShardId,
    string StreamLabel,
    DateTimeOffset KeptAt,
    int Attempts,
    string Error,
    Guid? MessageGroupUuid,
    Guid? MessageUuid);

/// <summary>What replaying one dead letter did.</summary>
/// <param name="DeadLetter">The dead letter.</param>
/// <param name="Error">Null when the handler succeeded and the item was deleted; otherwise why it still fails (kept).</param>
public sealed record ReplayResult(DeadLetter DeadLetter, string? Error)
{
    /// <summary>True when the record was handled and its dead letter deleted.</summary>
    public bool Replayed => Error is null;
}
