using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;

namespace Cruddur.Messaging.Tests.Properties;

/// <summary>
/// The stream event as pattern E reads it: any text either parses or is a <see cref="JsonException"/>; whatever parses,
/// reading its records never throws; a message item written to the event reads back as the same message.
/// </summary>
public sealed class StreamEventProperties
{
    private static readonly JsonNode?[] OddValues =
        [null, JsonValue.Create(1), JsonValue.Create("x"), JsonValue.Create(true), new JsonArray(), new JsonObject(), new JsonObject { ["B"] = "not base64!" }, new JsonObject { ["S"] = null }];

    private static readonly Gen<string> ValidEvent = Gen.Select(Generators.Message, Gen.Int[0, 3], (message, extra) => EventJson(message, extra));

    [Fact]
    public void A_message_item_in_an_event_reads_back_as_the_same_message() =>
        Generators.Message.Sample(message =>
        {
            var parsed = Parse(EventJson(message, 0)).ShouldNotBeNull();
            MessageStreamHandler.Read(parsed.Records![0], out var read).ShouldBe(MessageStreamHandler.RecordKind.NewMessage);
            read.ShouldBe(message);
        });

    [Fact]
    public void Items_survive_the_stream_image_both_ways() =>
        Generators.Message.Sample(message =>
        {
            var item = MessageItems.Message(message);
            var back = StreamAttributeValue.ToItem(StreamAttributeValue.FromItem(item));
            back.Keys.ShouldBe(item.Keys, ignoreOrder: true);
            foreach (var (name, value) in item)
            {
                back[name].S.ShouldBe(value.S);
            }
        });

    [Fact]
    public void Arbitrary_text_is_an_event_or_a_JsonException() =>
        Gen.OneOf(Generators.AnyText, Gen.String[0, 200]).Sample(text => ReadAll(text));

    [Fact]
    public void An_event_with_characters_cut_or_changed_is_an_event_or_a_JsonException() =>
        Gen.Select(ValidEvent, Gen.Int[0, int.MaxValue], Gen.Int[0, 40], Gen.Char).Sample((json, at, cut, c) =>
        {
            var index = at % json.Length;
            ReadAll(json.Remove(index, Math.Min(cut, json.Length - index)));
            ReadAll(string.Concat(json.AsSpan(0, index), c.ToString(), json.AsSpan(index + 1)));
        });

    [Fact]
    public void An_event_with_any_value_replaced_by_an_odd_one_reads_without_throwing() =>
        Gen.Select(ValidEvent, Gen.Int[0, int.MaxValue], Gen.Int[0, OddValues.Length - 1]).Sample((json, at, odd) =>
        {
            var root = JsonNode.Parse(json)!;
            var nodes = Descendants(root).ToList();
            var target = nodes[at % nodes.Count];
            var replacement = OddValues[odd]?.DeepClone();
            switch (target.Parent)
            {
                case JsonObject parent:
                    parent[target.GetPropertyName()] = replacement;
                    break;
                case JsonArray array:
                    array[target.GetElementIndex()] = replacement;
                    break;
                default:
                    return;
            }

            ReadAll(root.ToJsonString());
        });

    /// <summary>Parses and reads every record; anything but a JsonException from the parser fails the property.</summary>
    private static void ReadAll(string json)
    {
        var parsed = Parse(json);
        foreach (var record in parsed?.Records ?? [])
        {
            var kind = MessageStreamHandler.Read(record, out var message);
            (kind == MessageStreamHandler.RecordKind.NewMessage).ShouldBe(message is not null);
            _ = record?.SequenceNumber;
        }
    }

    private static DynamoDbStreamEvent? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StreamEventJsonContext.Default.DynamoDbStreamEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            yield return child;
            foreach (var grandchild in Descendants(child))
            {
                yield return grandchild;
            }
        }
    }

    /// <summary>An event of one INSERT of the message's item (and <paramref name="extra"/> other records), as Lambda sends it.</summary>
    private static string EventJson(Messages.Message message, int extra)
    {
        var image = StreamAttributeValue.FromItem(MessageItems.Message(message));
        var keys = image.Where(a => a.Key is "pk" or "sk").ToDictionary(a => a.Key, a => a.Value);
        var records = Enumerable.Range(0, extra + 1).Select(i => new StreamRecord(
            $"event-{i}",
            i == 0 ? "INSERT" : "MODIFY",
            new StreamRecordData(keys, image, i == 0 ? null : image, $"{i:D21}"))).ToList();
        return JsonSerializer.Serialize(new DynamoDbStreamEvent(records), StreamEventJsonContext.Default.DynamoDbStreamEvent);
    }
}
