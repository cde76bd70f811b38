using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table.Lean;

namespace Cruddur.Messaging.Table;

/// <summary>An item as the SDK gives it, read through <see cref="IItemAttributes"/>.</summary>
internal readonly struct SdkItem(IReadOnlyDictionary<string, AttributeValue> item) : IItemAttributes
{
    public IEnumerable<string> Names => item.Keys;

    public string? Text(string name) => item.TryGetValue(name, out var value) ? value.S : null;

    public string? Number(string name) => item.TryGetValue(name, out var value) ? value.N : null;

    public IReadOnlyList<string>? Numbers(string name) => item.TryGetValue(name, out var value) ? value.NS : null;
}
