using System.Buffers;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Cruddur.Messaging.Table.Lean;

/// <summary>
/// DynamoDB's JSON protocol for the hot reads, without the SDK's marshalling pipeline: the SDK's <see cref="QueryRequest"/>
/// and <see cref="GetItemRequest"/> written with <see cref="Utf8JsonWriter"/>, the answers read with
/// <see cref="Utf8JsonReader"/> straight into the SDK's response types, so callers see exactly what the SDK gives them.
/// </summary>
internal static class DynamoDbJson
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? bodyBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? bodyWriter;

    /// <summary>
    /// True when the request uses only the expression-based parameters written here; the legacy ones
    /// (<c>KeyConditions</c>, <c>QueryFilter</c>, <c>AttributesToGet</c>, <c>ConditionalOperator</c>) stay on the SDK.
    /// </summary>
    public static bool CanWrite(QueryRequest request) =>
        request is { KeyConditions: null, QueryFilter: null, AttributesToGet: null, ConditionalOperator: null };

    /// <inheritdoc cref="CanWrite(QueryRequest)"/>
    public static bool CanWrite(GetItemRequest request) => request.AttributesToGet is null;

    public static void WriteQuery(Utf8JsonWriter writer, QueryRequest request)
    {
        writer.WriteStartObject();
        WriteString(writer, "TableName", request.TableName);
        WriteString(writer, "IndexName", request.IndexName);
        WriteString(writer, "KeyConditionExpression", request.KeyConditionExpression);
        WriteString(writer, "FilterExpression", request.FilterExpression);
        WriteString(writer, "ProjectionExpression", request.ProjectionExpression);
        WriteNames(writer, request.ExpressionAttributeNames);
        WriteItem(writer, "ExpressionAttributeValues", request.ExpressionAttributeValues);
        WriteItem(writer, "ExclusiveStartKey", request.ExclusiveStartKey);
        if (request.ScanIndexForward is { } forward)
        {
            writer.WriteBoolean("ScanIndexForward", forward);
        }

        if (request.Limit is { } limit)
        {
            writer.WriteNumber("Limit", limit);
        }

        if (request.ConsistentRead is { } consistent)
        {
            writer.WriteBoolean("ConsistentRead", consistent);
        }

        WriteString(writer, "ReturnConsumedCapacity", request.ReturnConsumedCapacity?.Value);
        WriteString(writer, "Select", request.Select?.Value);
        writer.WriteEndObject();
    }

    public static void WriteGetItem(Utf8JsonWriter writer, GetItemRequest request)
    {
        writer.WriteStartObject();
        WriteString(writer, "TableName", request.TableName);
        WriteItem(writer, "Key", request.Key);
        WriteString(writer, "ProjectionExpression", request.ProjectionExpression);
        WriteNames(writer, request.ExpressionAttributeNames);
        if (request.ConsistentRead is { } consistent)
        {
            writer.WriteBoolean("ConsistentRead", consistent);
        }

        WriteString(writer, "ReturnConsumedCapacity", request.ReturnConsumedCapacity?.Value);
        writer.WriteEndObject();
    }

    public static QueryResponse ReadQueryResponse(ReadOnlySpan<byte> json)
    {
        var page = ReadQuery(json, ReadItem);
        return new QueryResponse
        {
            Items = page.Items,
            Count = page.Count,
            ScannedCount = page.ScannedCount,
            LastEvaluatedKey = page.LastEvaluatedKey,
            ConsumedCapacity = page.ConsumedCapacity,
        };
    }

    /// <summary>A Query answer whose items are read straight into <see cref="JsonItem"/>s, without the SDK's item dictionaries.</summary>
    public static ItemsPage ReadItemsPage(ReadOnlySpan<byte> json)
    {
        var page = ReadQuery(json, ReadJsonItem);
        return new ItemsPage(page.Items ?? [], page.LastEvaluatedKey, page.ConsumedCapacity);
    }

    private static QueryPage<TItem> ReadQuery<TItem>(ReadOnlySpan<byte> json, ItemReader<TItem> readItem)
    {
        var page = new QueryPage<TItem>();
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("Items"))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                page.Items = [];

                // The items of a page mostly have the same attributes in the same order: their names are read once.
                List<string> names = [];
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    page.Items.Add(readItem(ref reader, names));
                }
            }
            else if (reader.ValueTextEquals("Count"))
            {
                page.Count = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("ScannedCount"))
            {
                page.ScannedCount = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("LastEvaluatedKey"))
            {
                Next(ref reader);
                page.LastEvaluatedKey = ReadItem(ref reader);
            }
            else if (reader.ValueTextEquals("ConsumedCapacity"))
            {
                Next(ref reader);
                page.ConsumedCapacity = ReadConsumedCapacity(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return page;
    }

    public static GetItemResponse ReadGetItemResponse(ReadOnlySpan<byte> json)
    {
        var response = new GetItemResponse();
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("Item"))
            {
                Next(ref reader);
                response.Item = ReadItem(ref reader);
            }
            else if (reader.ValueTextEquals("ConsumedCapacity"))
            {
                Next(ref reader);
                response.ConsumedCapacity = ReadConsumedCapacity(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return response;
    }

    /// <summary>An error answer's code (the part of <c>__type</c> after <c>#</c>) and message, when the body says.</summary>
    public static (string? Code, string? Message) ReadError(ReadOnlySpan<byte> json)
    {
        string? code = null, message = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            Expect(ref reader, JsonTokenType.StartObject);
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("__type"))
                {
                    Next(ref reader);
                    var type = reader.GetString() ?? "";
                    code = type[(type.LastIndexOf('#') + 1)..];
                }
                else if (reader.ValueTextEquals("message") || reader.ValueTextEquals("Message"))
                {
                    Next(ref reader);
                    message = reader.GetString();
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }
        catch (JsonException)
        {
            // A proxy's or load balancer's page instead of DynamoDB's JSON: the status code is all there is.
        }

        return (string.IsNullOrEmpty(code) ? null : code, message);
    }

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNames(Utf8JsonWriter writer, Dictionary<string, string>? names)
    {
        if (names is null)
        {
            return;
        }

        writer.WriteStartObject("ExpressionAttributeNames");
        foreach (var (placeholder, name) in names)
        {
            writer.WriteString(placeholder, name);
        }

        writer.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter writer, string name, Dictionary<string, AttributeValue>? item)
    {
        if (item is not null)
        {
            writer.WritePropertyName(name);
            WriteMap(writer, item);
        }
    }

    private static void WriteMap(Utf8JsonWriter writer, Dictionary<string, AttributeValue> map)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in map)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, AttributeValue value)
    {
        writer.WriteStartObject();
        if (value.S is { } s)
        {
            writer.WriteString("S", s);
        }
        else if (value.N is { } n)
        {
            writer.WriteString("N", n);
        }
        else if (value.B is { } b)
        {
            writer.WritePropertyName("B");
            WriteBytes(writer, b);
        }
        else if (value.BOOL is { } flag)
        {
            writer.WriteBoolean("BOOL", flag);
        }
        else if (value.NULL is { } isNull)
        {
            writer.WriteBoolean("NULL", isNull);
        }
        else if (value.M is { } m)
        {
            writer.WritePropertyName("M");
            WriteMap(writer, m);
        }
        else if (value.L is { } l)
        {
            writer.WriteStartArray("L");
            foreach (var element in l)
            {
                WriteValue(writer, element);
            }

            writer.WriteEndArray();
        }
        else if (value.SS is { } ss)
        {
            WriteStrings(writer, "SS", ss);
        }
        else if (value.NS is { } ns)
        {
            WriteStrings(writer, "NS", ns);
        }
        else if (value.BS is { } bs)
        {
            writer.WriteStartArray("BS");
            foreach (var element in bs)
            {
                WriteBytes(writer, element);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, List<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteBytes(Utf8JsonWriter writer, MemoryStream bytes)
    {
        if (bytes.TryGetBuffer(out var buffer))
        {
            writer.WriteBase64StringValue(buffer.AsSpan(0, (int)bytes.Length));
        }
        else
        {
            writer.WriteBase64StringValue(bytes.ToArray());
        }
    }

    private static Dictionary<string, AttributeValue> ReadItem(ref Utf8JsonReader reader, List<string>? names = null)
    {
        EnsureToken(ref reader, JsonTokenType.StartObject);
        var item = new Dictionary<string, AttributeValue>(names?.Count ?? 0);
        var position = 0;
        while (NextProperty(ref reader))
        {
            var name = ReadName(ref reader, names, position++);
            Next(ref reader);
            item[name] = ReadValue(ref reader);
        }

        return item;
    }

    /// <summary>An item as <see cref="JsonItem"/>: its strings, numbers and number sets; values of other types are skipped.</summary>
    private static JsonItem ReadJsonItem(ref Utf8JsonReader reader, List<string> names)
    {
        EnsureToken(ref reader, JsonTokenType.StartObject);
        var attributes = new JsonItem.Attribute[Math.Max(names.Count, 8)];
        var (position, count) = (0, 0);
        while (NextProperty(ref reader))
        {
            var name = ReadName(ref reader, names, position++);
            Expect(ref reader, JsonTokenType.StartObject);
            string? s = null, n = null;
            List<string>? ns = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("S"))
                {
                    Next(ref reader);
                    s = reader.GetString();
                }
                else if (reader.ValueTextEquals("N"))
                {
                    Next(ref reader);
                    n = reader.GetString();
                }
                else if (reader.ValueTextEquals("NS"))
                {
                    ns = ReadStrings(ref reader);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            if (s is null && n is null && ns is null)
            {
                continue;
            }

            if (count == attributes.Length)
            {
                Array.Resize(ref attributes, count * 2);
            }

            attributes[count++] = new(name, s, n, ns);
        }

        if (count != attributes.Length)
        {
            Array.Resize(ref attributes, count);
        }

        return new JsonItem(attributes);
    }

    /// <summary>
    /// The property name at hand, taken from <paramref name="names"/> when the item has it at the same
    /// <paramref name="position"/> as the page's earlier items (no string is made), else read and remembered there.
    /// </summary>
    private static string ReadName(ref Utf8JsonReader reader, List<string>? names, int position)
    {
        if (names is not null && position < names.Count && reader.ValueTextEquals(names[position]))
        {
            return names[position];
        }

        var name = reader.GetString()!;
        if (names is not null)
        {
            names.RemoveRange(position, names.Count - position);
            names.Add(name);
        }

        return name;
    }

    private static AttributeValue ReadValue(ref Utf8JsonReader reader)
    {
        EnsureToken(ref reader, JsonTokenType.StartObject);
        var value = new AttributeValue();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("S"))
            {
                Next(ref reader);
                value.S = reader.GetString();
            }
            else if (reader.ValueTextEquals("N"))
            {
                Next(ref reader);
                value.N = reader.GetString();
            }
            else if (reader.ValueTextEquals("B"))
            {
                Next(ref reader);
                value.B = new MemoryStream(reader.GetBytesFromBase64());
            }
            else if (reader.ValueTextEquals("BOOL"))
            {
                Next(ref reader);
                value.BOOL = reader.GetBoolean();
            }
            else if (reader.ValueTextEquals("NULL"))
            {
                Next(ref reader);
                value.NULL = reader.GetBoolean();
            }
            else if (reader.ValueTextEquals("M"))
            {
                Next(ref reader);
                value.M = ReadItem(ref reader);
            }
            else if (reader.ValueTextEquals("L"))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                value.L = [];
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    value.L.Add(ReadValue(ref reader));
                }
            }
            else if (reader.ValueTextEquals("SS"))
            {
                value.SS = ReadStrings(ref reader);
            }
            else if (reader.ValueTextEquals("NS"))
            {
                value.NS = ReadStrings(ref reader);
            }
            else if (reader.ValueTextEquals("BS"))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                value.BS = [];
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    value.BS.Add(new MemoryStream(reader.GetBytesFromBase64()));
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return value;
    }

    private static List<string> ReadStrings(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        List<string> values = [];
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            values.Add(reader.GetString()!);
        }

        return values;
    }

    private static ConsumedCapacity ReadConsumedCapacity(ref Utf8JsonReader reader)
    {
        EnsureToken(ref reader, JsonTokenType.StartObject);
        var consumed = new ConsumedCapacity();
        var units = new Capacity();
        while (NextProperty(ref reader))
        {
            if (TryReadUnits(ref reader, units))
            {
                continue;
            }

            if (reader.ValueTextEquals("TableName"))
            {
                Next(ref reader);
                consumed.TableName = reader.GetString();
            }
            else if (reader.ValueTextEquals("Table"))
            {
                Next(ref reader);
                consumed.Table = ReadCapacity(ref reader);
            }
            else if (reader.ValueTextEquals("GlobalSecondaryIndexes"))
            {
                consumed.GlobalSecondaryIndexes = ReadCapacities(ref reader);
            }
            else if (reader.ValueTextEquals("LocalSecondaryIndexes"))
            {
                consumed.LocalSecondaryIndexes = ReadCapacities(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        consumed.CapacityUnits = units.CapacityUnits;
        consumed.ReadCapacityUnits = units.ReadCapacityUnits;
        consumed.WriteCapacityUnits = units.WriteCapacityUnits;
        return consumed;
    }

    private static Dictionary<string, Capacity> ReadCapacities(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var capacities = new Dictionary<string, Capacity>();
        while (NextProperty(ref reader))
        {
            var name = reader.GetString()!;
            Next(ref reader);
            capacities[name] = ReadCapacity(ref reader);
        }

        return capacities;
    }

    private static Capacity ReadCapacity(ref Utf8JsonReader reader)
    {
        EnsureToken(ref reader, JsonTokenType.StartObject);
        var capacity = new Capacity();
        while (NextProperty(ref reader))
        {
            if (!TryReadUnits(ref reader, capacity))
            {
                SkipValue(ref reader);
            }
        }

        return capacity;
    }

    /// <summary>
    /// Reads the property at hand into <paramref name="units"/> when it is one of the three unit figures that a consumed
    /// capacity and each of its per-table and per-index entries carry; false for any other property.
    /// </summary>
    private static bool TryReadUnits(ref Utf8JsonReader reader, Capacity units)
    {
        if (reader.ValueTextEquals("CapacityUnits"))
        {
            units.CapacityUnits = ReadDouble(ref reader);
        }
        else if (reader.ValueTextEquals("ReadCapacityUnits"))
        {
            units.ReadCapacityUnits = ReadDouble(ref reader);
        }
        else if (reader.ValueTextEquals("WriteCapacityUnits"))
        {
            units.WriteCapacityUnits = ReadDouble(ref reader);
        }
        else
        {
            return false;
        }

        return true;
    }

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.Number);
        return reader.GetInt32();
    }

    private static double ReadDouble(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.Number);
        return reader.GetDouble();
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) => Next(ref reader) switch
    {
        JsonTokenType.PropertyName => true,
        JsonTokenType.EndObject => false,
        var token => throw new JsonException($"Expected a property name in DynamoDB's answer, found {token}."),
    };

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("DynamoDB's answer ended early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        Next(ref reader);
        EnsureToken(ref reader, expected);
    }

    private static void EnsureToken(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"Expected {expected} in DynamoDB's answer, found {reader.TokenType}.");
        }
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        reader.Skip();
    }

    /// <summary>The request body: <paramref name="request"/> as <paramref name="write"/> writes it.</summary>
    public static byte[] Write<TRequest>(TRequest request, Action<Utf8JsonWriter, TRequest> write)
    {
        // One buffer and writer per thread, reused: writing never awaits, so no other call can be using them.
        var buffer = bodyBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = bodyWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        write(writer, request);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private delegate TItem ItemReader<out TItem>(ref Utf8JsonReader reader, List<string> names);

    /// <summary>The parts of a Query answer, with items of the reader's type.</summary>
    private sealed class QueryPage<TItem>
    {
        public List<TItem>? Items { get; set; }

        public int? Count { get; set; }

        public int? ScannedCount { get; set; }

        public Dictionary<string, AttributeValue>? LastEvaluatedKey { get; set; }

        public ConsumedCapacity? ConsumedCapacity { get; set; }
    }
}
