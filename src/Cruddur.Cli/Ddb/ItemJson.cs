using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace Cruddur.Cli.Ddb;

// Not Document.FromAttributeMap(item).ToJsonPretty(): it keeps the item's order instead of sorting names, escapes every
// non-ASCII character (and '+' in timestamps) as \uXXXX, keeps numbers as stored (1.50) and breaks lists unevenly.
/// <summary>DynamoDB items as plain JSON (attribute name → value) and as short text for tables.</summary>
internal static class ItemJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(IEnumerable<Dictionary<string, AttributeValue>> items)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                WriteMap(writer, item);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A value as one short line: strings as they are, sets and lists in brackets.</summary>
    public static string Text(AttributeValue value) => value switch
    {
        { S: { } s } => s,
        { N: { } n } => n,
        { BOOL: { } b } => b ? "true" : "false",
        { NULL: true } => "null",
        { SS: { } ss } => "[" + string.Join(", ", ss) + "]",
        { NS: { } ns } => "[" + string.Join(", ", ns) + "]",
        { B: { } binary } => Convert.ToBase64String(binary.ToArray()),
        { L: { } list } => "[" + string.Join(", ", list.Select(Text)) + "]",
        { M: { } map } => "{" + string.Join(", ", map.Select(entry => $"{entry.Key}: {Text(entry.Value)}")) + "}",
        _ => "",
    };

    private static void WriteMap(Utf8JsonWriter writer, Dictionary<string, AttributeValue> map)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in map.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, AttributeValue value)
    {
        switch (value)
        {
            case { S: { } s }:
                writer.WriteStringValue(s);
                break;
            case { N: { } n }:
                writer.WriteRawValue(decimal.Parse(n, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case { BOOL: { } b }:
                writer.WriteBooleanValue(b);
                break;
            case { SS: { } ss }:
                writer.WriteStartArray();
                ss.ForEach(writer.WriteStringValue);
                writer.WriteEndArray();
                break;
            case { L: { } list }:
                writer.WriteStartArray();
                list.ForEach(element => WriteValue(writer, element));
                writer.WriteEndArray();
                break;
            case { M: { } map }:
                WriteMap(writer, map);
                break;
            case { NULL: true }:
                writer.WriteNullValue();
                break;
            default:
                writer.WriteStringValue(Text(value));
                break;
        }
    }
}
