using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Bench.Launch;
using Cruddur.Bench.Seeding;
using Cruddur.Bench.StreamLag;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Time;

namespace Cruddur.Bench.Load;

/// <summary>
/// The requests of each load phase, per simulated user <c>i</c>: A reads user i's conversation with the next user,
/// B lists user i's groups, C posts to that conversation, D posts by handle to an existing conversation.
/// The raw and SDK versions issue the DynamoDB call behind each. Their puts go to the app's own table (same size,
/// GSI and stream as the app's C meets) under a partition key pattern E skips (<see cref="RawPutPk"/>), so they
/// move no group rows. (Into a table of their own, DynamoDB Local answered them 10–100 times slower, bench/RESULTS.md.)
/// </summary>
internal sealed class LoadTargets(BenchRun run, BenchData data, IReadOnlyDictionary<Guid, SignedInUser> signedInUsers, AppClient app, RawDynamoDb raw, IAmazonDynamoDB sdk, string table)
{
    /// <summary>The page the app is asked for.</summary>
    public const int PageSize = 20;

    /// <summary>What the core's A query asks DynamoDB for: the page, one more to know whether a next page exists, and the read marker.</summary>
    public const int MessagesQueryLimit = PageSize + 2;

    /// <summary>What the core's B query asks for: one more than the page plus two rows of slack for a move in progress.</summary>
    public const int GroupsQueryLimit = PageSize + 3;
    private const string Text = "bench load message: the quick brown fox jumps over the lazy dog";
    private const string SkSlot = "__SK_SLOT__";
    private const string UuidSlot = "__UUID_SLOT__";

    private static readonly DateTimeOffset PutBase = DateTimeOffset.UtcNow;

    public LoadRequest Raw(string pattern)
    {
        switch (pattern)
        {
            case "A" or "B":
                var queries = Enumerable.Range(0, pattern == "A" ? data.ReadGroups.Count : data.LoadUsers.Count).Select(user => QueryBody(pattern, user)).ToArray();
                return (user, ct) => raw.SendAsync(RawDynamoDb.Query, queries[user], ct);
            case "C":
                // The body is built once per user with two slots (sort key, message uuid) filled in per request.
                var templates = Enumerable.Range(0, data.LoadUsers.Count)
                    .Select(user => SplitTemplate(Encoding.UTF8.GetString(RawDynamoDb.PutItemBody(table, RawPutAttributes(user, SkSlot, UuidSlot), MessageTableKeys.Pk))))
                    .ToArray();
                return (user, ct) =>
                {
                    var (beforeSk, betweenSlots, afterUuid, skFirst) = templates[user];
                    var sk = NextPutTime();
                    var uuid = Guid.NewGuid().ToString("D");
                    var body = Encoding.UTF8.GetBytes(skFirst ? string.Concat(beforeSk, sk, betweenSlots, uuid, afterUuid) : string.Concat(beforeSk, uuid, betweenSlots, sk, afterUuid));
                    return raw.SendAsync(RawDynamoDb.PutItem, body, ct);
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "raw requests exist for A, B and C");
        }
    }

    public LoadRequest Sdk(string pattern) => pattern switch
    {
        "A" => async (user, ct) =>
        {
            await sdk.QueryAsync(NewestFirst(MessageTableKeys.MessagesPk(data.ReadGroups[user].Uuid), MessagesQueryLimit), ct);
            return null;
        },
        "B" => async (user, ct) =>
        {
            await sdk.QueryAsync(NewestFirst(MessageTableKeys.GroupRowPk(data.LoadUsers[user].Uuid), GroupsQueryLimit), ct);
            return null;
        },
        "C" => async (user, ct) =>
        {
            await sdk.PutItemAsync(
                new PutItemRequest
                {
                    TableName = table,
                    Item = PutItem(user, Guid.NewGuid(), MessageTimestamp.Parse(NextPutTime())),
                    ConditionExpression = "attribute_not_exists(pk)",
                    ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
                },
                ct);
            return null;
        },
        _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "SDK requests exist for A, B and C"),
    };

    /// <summary>The app's request for a pattern; C and D remember each user's last created message (for the drain) and feed the lag probe.</summary>
    public LoadRequest App(string pattern, StreamLagProbe? probe, byte[][] lastPosts)
    {
        var signedIn = data.LoadUsers.Select(u => signedInUsers[u.Uuid]).ToArray();
        switch (pattern)
        {
            case "A":
                var messagePaths = data.ReadGroups.Select(g => AppClient.MessagesPath(g.Uuid, PageSize)).ToArray();
                return (user, ct) => app.GetAsync(signedIn[user], messagePaths[user], ct);
            case "B":
                var groupsPath = AppClient.MessageGroupsPath(PageSize);
                return (user, ct) => app.GetAsync(signedIn[user], groupsPath, ct);
            case "C" or "D":
                var path = new Uri("/api/messages", UriKind.Relative);
                var bodies = pattern == "C"
                    ? data.ReadGroups.Select(g => AppClient.PostToGroupBody(g.Uuid, Text)).ToArray()
                    : data.DirectHandles.Select(handle => AppClient.PostToHandleBody(handle, Text)).ToArray();
                return async (user, ct) =>
                {
                    var (body, error) = await app.PostAsync(signedIn[user], path, bodies[user], ct);
                    if (body is not null)
                    {
                        lastPosts[user] = body;
                        if (probe is { WantsSample: true })
                        {
                            probe.Offer(body, ct);
                        }
                    }

                    return error;
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "patterns are A, B, C and D");
        }
    }

    /// <summary>The raw DynamoDB requests of a pattern for wrk: the same bodies as <see cref="Raw"/>, one per user.</summary>
    public IReadOnlyList<WrkRequest> WrkRaw(string pattern, int count)
    {
        var headers = RawDynamoDb.Headers(pattern == "C" ? RawDynamoDb.PutItem : RawDynamoDb.Query);
        byte[] Body(int user) => pattern switch
        {
            "A" or "B" => QueryBody(pattern, user),
            "C" => RawDynamoDb.PutItemBody(table, RawPutAttributes(user, Wrk.UniqueSlot, Guid.NewGuid().ToString("D")), MessageTableKeys.Pk),
            _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "raw requests exist for A, B and C"),
        };
        return [.. Enumerable.Range(0, count).Select(user => new WrkRequest("POST", "/", headers, Encoding.UTF8.GetString(Body(user))))];
    }

    /// <summary>The app's requests of a pattern for wrk, one per user, each with that user's token.</summary>
    public IReadOnlyList<WrkRequest> WrkApp(string pattern, int count) =>
        [.. Enumerable.Range(0, count).Select(user =>
        {
            var signedIn = signedInUsers[data.LoadUsers[user].Uuid];
            var headers = new Dictionary<string, string> { ["Authorization"] = signedIn.Authorization.ToString() };
            return pattern switch
            {
                "A" => new WrkRequest("GET", AppClient.MessagesPath(data.ReadGroups[user].Uuid, PageSize).ToString(), headers),
                "B" => new WrkRequest("GET", AppClient.MessageGroupsPath(PageSize).ToString(), headers),
                "C" => new WrkRequest("POST", "/api/messages", new Dictionary<string, string>(headers) { ["Content-Type"] = "application/json" }, Encoding.UTF8.GetString(AppClient.PostToGroupBody(data.ReadGroups[user].Uuid, Text))),
                _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "wrk drives A, B and C"),
            };
        })];

    /// <summary>The Query the core sends for user <paramref name="user"/>'s A (their conversation) or B (their groups).</summary>
    private byte[] QueryBody(string pattern, int user) => pattern == "A"
        ? RawDynamoDb.QueryBody(table, null, MessageTableKeys.Pk, MessageTableKeys.MessagesPk(data.ReadGroups[user].Uuid), MessagesQueryLimit)
        : RawDynamoDb.QueryBody(table, null, MessageTableKeys.Pk, MessageTableKeys.GroupRowPk(data.LoadUsers[user].Uuid), GroupsQueryLimit);

    private QueryRequest NewestFirst(string pk, int limit) => new()
    {
        TableName = table,
        KeyConditionExpression = "pk = :pk",
        ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = pk } },
        ScanIndexForward = false,
        Limit = limit,
        ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
    };

    private static (string Before, string Between, string After, bool SkFirst) SplitTemplate(string template)
    {
        var sk = template.IndexOf(SkSlot, StringComparison.Ordinal);
        var uuid = template.IndexOf(UuidSlot, StringComparison.Ordinal);
        var (first, firstSlot, second, secondSlot) = sk < uuid ? (sk, SkSlot, uuid, UuidSlot) : (uuid, UuidSlot, sk, SkSlot);
        return (template[..first], template[(first + firstSlot.Length)..second], template[(second + secondSlot.Length)..], sk < uuid);
    }

    /// <summary>
    /// User i's raw or SDK put: a message item of their conversation, in the group's <c>BENCHPUT#</c> partition beside
    /// its messages (not a message key, so pattern E passes over it).
    /// </summary>
    private Dictionary<string, AttributeValue> PutItem(int user, Guid messageUuid, DateTimeOffset createdAt)
    {
        var group = data.ReadGroups[user].Uuid;
        var item = MessageItems.Message(new Message(messageUuid, group, Text, data.LoadUsers[user].Summary, createdAt));
        item[MessageTableKeys.Pk] = MessageItems.S("BENCHPUT#" + group.ToString("D"));
        return item;
    }

    /// <summary><see cref="PutItem"/> as a raw body's string attributes, with the sort key and message uuid given as text (values or slots).</summary>
    private IEnumerable<KeyValuePair<string, string>> RawPutAttributes(int user, string sk, string messageUuid) =>
        PutItem(user, Guid.Empty, PutBase).Select(attribute => KeyValuePair.Create(attribute.Key, attribute.Key switch
        {
            MessageTableKeys.Sk => sk,
            MessageTableKeys.MessageUuid => messageUuid,
            _ => attribute.Value.S,
        }));

    /// <summary>A sort key no other raw or SDK put has used: one microsecond on per put.</summary>
    private string NextPutTime() => MessageTimestamp.Format(PutBase.AddTicks(run.NextRawSequence() * TimeSpan.TicksPerMicrosecond));
}
