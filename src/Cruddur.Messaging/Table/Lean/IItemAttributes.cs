using Amazon.DynamoDBv2.Model;

namespace Cruddur.Messaging.Table.Lean;

/// <summary>
/// What the table's item readers ask of an item. The SDK's items (through <c>SdkItem</c>) and the lean path's
/// (<see cref="JsonItem"/>, read straight from DynamoDB's JSON) both answer, so each reader is written once.
/// </summary>
internal interface IItemAttributes
{
    /// <summary>The attribute names of the item.</summary>
    IEnumerable<string> Names { get; }

    /// <summary>The attribute's string (S), or null when it is absent or not a string.</summary>
    string? Text(string name);

    /// <summary>The attribute's number (N) as written, or null when it is absent or not a number.</summary>
    string? Number(string name);

    /// <summary>The attribute's number set (NS) as written, or null when it is absent or not a number set.</summary>
    IReadOnlyList<string>? Numbers(string name);
}

/// <summary>One page of a query as items to read: <see cref="LastEvaluatedKey"/> is where the next page starts, null after the last.</summary>
internal sealed record ItemsPage(IReadOnlyList<IItemAttributes> Items, Dictionary<string, AttributeValue>? LastEvaluatedKey, ConsumedCapacity? ConsumedCapacity);
