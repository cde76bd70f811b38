namespace Cruddur.Messaging.Table.Lean;

/// <summary>
/// An item read straight from DynamoDB's JSON with only what the item readers ask for: its strings, numbers and number
/// sets (attributes of other types are left out, as the readers see nothing in them). One small array instead of the
/// SDK's dictionary of <c>AttributeValue</c> objects.
/// </summary>
internal sealed class JsonItem(JsonItem.Attribute[] attributes) : IItemAttributes
{
    public IEnumerable<string> Names => attributes.Select(attribute => attribute.Name);

    public string? Text(string name) => Find(name)?.S;

    public string? Number(string name) => Find(name)?.N;

    public IReadOnlyList<string>? Numbers(string name) => Find(name)?.NS;

    private Attribute? Find(string name)
    {
        foreach (var attribute in attributes)
        {
            if (string.Equals(attribute.Name, name, StringComparison.Ordinal))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>One attribute: exactly one of <see cref="S"/>, <see cref="N"/> and <see cref="NS"/> is set.</summary>
    internal readonly record struct Attribute(string Name, string? S, string? N, List<string>? NS);
}
