using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Table.Lean;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.LeanCost;

/// <summary>
/// CPU and allocations per call of the lean read path in this process, sequential, against canned DynamoDB answers of
/// the A and B shapes (22 message items with the read marker; 23 group rows): what the app spends on a warm read beside
/// the sockets. <c>dotnet run -c Release --project bench/Cruddur.LeanCost [-- calls runs]</c>.
/// </summary>
internal static class Program
{
    private static readonly Guid Group = Guid.Parse("5ae290ed-55d1-47a0-bc6d-fe2bc2700399");
    private static readonly Guid Owner = Guid.Parse("1f1b3a4c-6a0e-4a88-9d4b-0c6f7c2b9e11");

    public static async Task<int> Main(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var token = CancellationToken.None;

        var answers = new CannedAnswers(MessagesAnswer(), GroupsAnswer());
        using var lean = new DynamoDbJsonClient(
            new Uri("https://dynamodb.eu-west-2.amazonaws.com/"),
            RegionEndpoint.EUWest2,
            _ => ValueTask.FromResult<AWSCredentials>(new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
            TimeSpan.FromSeconds(5),
            0,
            answers);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var recorder = new ConsumedCapacityRecorder(services.GetRequiredService<IMeterFactory>());
        using var sdk = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:1" });
        var table = new MessageTable(new TableGateway(sdk, lean, "cruddur-messages", recorder, NullLogger<TableGateway>.Instance), NullLogger<MessageTable>.Instance);

        Dictionary<string, Func<Task>> modes = new()
        {
            ["client A query"] = async () =>
            {
                var request = new QueryRequest
                {
                    TableName = "cruddur-messages",
                    KeyConditionExpression = "pk = :pk",
                    ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = MessagesPk(Group) } },
                    ScanIndexForward = false,
                    Limit = 22,
                    ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
                };
                if ((await lean.QueryAsync(request, token)).Items.Count != 22)
                {
                    throw new InvalidOperationException("The canned answer did not read.");
                }
            },
            ["table A (messages)"] = async () =>
            {
                if ((await table.QueryMessagesAsync(Group, null, 20, token)).Page.Items.Count != 20)
                {
                    throw new InvalidOperationException("The canned answer did not map.");
                }
            },
            ["table B (groups)"] = async () =>
            {
                if ((await table.QueryGroupsAsync(Owner, null, 20, token)).Items.Count != 20)
                {
                    throw new InvalidOperationException("The canned answer did not map.");
                }
            },
        };

        Console.WriteLine($"{calls} sequential calls per run, {runs} runs per mode, after a warm-up of {calls} calls; .NET {Environment.Version}");
        foreach (var (name, call) in modes)
        {
            for (var i = 0; i < calls; i++)
            {
                await call();
            }

            var cpu = new List<double>();
            var bytes = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                for (var i = 0; i < calls; i++)
                {
                    await call();
                }

                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / calls);
                bytes.Add((GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)calls);
            }

            Console.WriteLine(
                $"{name,-20} CPU µs/call: {string.Join(" ", cpu.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))} (median {Median(cpu):0.0}); " +
                $"bytes/call: median {Median(bytes):0}");
        }

        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>A first page of A as DynamoDB answers it: the read marker above 21 messages (limit 20 + 2 asked).</summary>
    private static byte[] MessagesAnswer()
    {
        List<Dictionary<string, string>> items =
        [
            new() { [Pk] = MessagesPk(Group), [Sk] = ReadMarkerSk, [ReadMarkerAttribute(Owner)] = "2026-11-24T22:41:58.123456+00:00" },
        ];
        for (var i = 0; i < 21; i++)
        {
            items.Add(new()
            {
                [Pk] = MessagesPk(Group),
                [Sk] = $"2026-11-24T22:{59 - i:00}:58.123456+00:00",
                [MessageUuid] = Guid.NewGuid().ToString("D"),
                [Message] = $"Message number {i}: a line of ordinary length to stand in for what people write to each other.",
                [UserUuid] = (i % 2 == 0 ? Owner : Guid.NewGuid()).ToString("D"),
                [UserDisplayName] = i % 2 == 0 ? "Andrew Brown" : "Andrew Bayko",
                [UserHandle] = i % 2 == 0 ? "andrewbrown" : "bayko",
            });
        }

        return Answer(items);
    }

    /// <summary>A first page of B: 23 group rows (limit 20 + 1 + the move slack).</summary>
    private static byte[] GroupsAnswer()
    {
        List<Dictionary<string, string>> items = [];
        for (var i = 0; i < 23; i++)
        {
            items.Add(new()
            {
                [Pk] = GroupRowPk(Owner),
                [Sk] = $"2026-11-24T22:{59 - i:00}:58.123456+00:00",
                [MessageGroupUuid] = Guid.NewGuid().ToString("D"),
                [Message] = $"Last message {i}: a line of ordinary length to stand in for what people write to each other.",
                [UserUuid] = Guid.NewGuid().ToString("D"),
                [UserDisplayName] = $"Person {i}",
                [UserHandle] = $"person{i}",
            });
        }

        return Answer(items);
    }

    private static byte[] Answer(List<Dictionary<string, string>> items)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("ConsumedCapacity");
            writer.WriteNumber("CapacityUnits", 1.5);
            writer.WriteString("TableName", "cruddur-messages");
            writer.WriteStartObject("Table");
            writer.WriteNumber("CapacityUnits", 1.5);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteNumber("Count", items.Count);
            writer.WriteStartArray("Items");
            foreach (var item in items)
            {
                WriteItem(writer, item);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("LastEvaluatedKey");
            WriteItem(writer, new() { [Pk] = items[^1][Pk], [Sk] = items[^1][Sk] });
            writer.WriteNumber("ScannedCount", items.Count);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteItem(Utf8JsonWriter writer, Dictionary<string, string> item)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in item)
        {
            writer.WriteStartObject(name);
            writer.WriteString("S", value);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Answers each request at once with the canned answer of its partition, after reading the request body.</summary>
    private sealed class CannedAnswers(byte[] messages, byte[] groups) : HttpMessageHandler
    {
        private static readonly byte[] GroupPartition = "GRP#"u8.ToArray();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var answer = body.AsSpan().IndexOf(GroupPartition) >= 0 ? groups : messages;
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(answer) };
            response.Content.Headers.ContentLength = answer.Length;
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "REQUESTID0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123");
            return response;
        }
    }
}
