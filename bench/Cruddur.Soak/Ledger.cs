using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Table;
using static Cruddur.Messaging.Table.MessageTableKeys;

namespace Cruddur.Soak;

/// <summary>A post the app acknowledged (200): what, where, by whom, when and in which phase.</summary>
internal sealed record Ack(string Operation, Guid Group, string Uuid, Guid Sender, Guid? Recipient, string Phase, TimeSpan At)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"message {Uuid} group {Group} ({Operation}) acknowledged at {At.TotalSeconds:F1}s in {Phase}");
}

/// <summary>
/// The kill of DynamoDB Local: from the scan taken just before it until the app could reach DynamoDB again, with a scan
/// of the restarted emulator taken before the app could. A post the emulator dropped is one it had (seen by the scan
/// before, or acknowledged inside the window) and the restarted emulator did not; anything that survived the restart
/// and is gone at the end is ours.
/// </summary>
internal sealed record KillWindow(TimeSpan Start, TimeSpan End, IReadOnlySet<string> Before, IReadOnlySet<string> AfterRestart)
{
    public bool Explains(Ack post) => !AfterRestart.Contains(post.Uuid) && (Before.Contains(post.Uuid) || (post.At >= Start && post.At <= End));

    public string Why(Ack post) =>
        AfterRestart.Contains(post.Uuid) ? "survived the kill (in the scan right after the restart), gone at the end"
        : Before.Contains(post.Uuid) ? "seen by the scan just before the kill, absent from the scan right after the restart"
        : post.At >= Start && post.At <= End ? string.Create(CultureInfo.InvariantCulture, $"acknowledged inside the kill window [{Start.TotalSeconds:F1}s, {End.TotalSeconds:F1}s], absent from the scan right after the restart")
        : "acknowledged outside the kill window";
}

/// <summary>One thing wrong with the stored data; <see cref="ByEmulator"/> when the kill explains it.</summary>
internal sealed record Finding(string Kind, string Subject, bool ByEmulator, string Why);

internal sealed record LedgerReport(int Acknowledged, int StoredOnce, int Missing, int Duplicated, int Groups, int RowsExpected, int RowsCurrent, IReadOnlyList<Finding> Findings)
{
    public IEnumerable<Finding> Ours => Findings.Where(f => !f.ByEmulator);

    public IEnumerable<Finding> Emulator => Findings.Where(f => f.ByEmulator);
}

/// <summary>
/// Checks the table against every acknowledged post: each stored exactly once, and each group that holds a message
/// has exactly one row per member showing its latest message (pattern E settled). Losses the kill explains are kept
/// apart from ours.
/// </summary>
internal static class Ledger
{
    /// <summary>Every message uuid in the table now (a consistent scan), for the kill window.</summary>
    public static async Task<IReadOnlySet<string>> ScanMessageUuidsAsync(IAmazonDynamoDB dynamo, string table, CancellationToken token)
    {
        var uuids = new HashSet<string>(StringComparer.Ordinal);
        var pages = dynamo.Paginators.Scan(new ScanRequest
        {
            TableName = table,
            ConsistentRead = true,
            FilterExpression = "begins_with(pk, :m)",
            ProjectionExpression = MessageUuid,
            ExpressionAttributeValues = new() { [":m"] = new AttributeValue { S = "MSG#" } },
        });
        await foreach (var page in pages.Responses.WithCancellation(token))
        {
            uuids.UnionWith((page.Items ?? []).Select(i => i[MessageUuid].S));
        }

        return uuids;
    }

    public static async Task<LedgerReport> CheckAsync(IAmazonDynamoDB dynamo, string table, IReadOnlyList<Ack> acknowledged, IEnumerable<Guid> users, KillWindow? kill, CancellationToken token)
    {
        var findings = new List<Finding>();
        var groups = acknowledged.Select(a => a.Group).Distinct().ToList();
        var messages = new Dictionary<Guid, List<Dictionary<string, AttributeValue>>>();
        var groupMembers = new Dictionary<Guid, IReadOnlyList<Guid>?>();
        foreach (var group in groups)
        {
            messages[group] = await QueryAllAsync(dynamo, table, MessagesPk(group), token);
            var item = await dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { ["pk"] = new(GroupPk(group)), ["sk"] = new(GroupSk) }, ConsistentRead = true }, token);
            groupMembers[group] = MessageItems.ReadGroupMembers(item.Item);
        }

        var stored = messages.Values.SelectMany(m => m).GroupBy(m => m[MessageUuid].S).ToDictionary(g => g.Key, g => g.Count());
        var storedOnce = acknowledged.Count(a => stored.GetValueOrDefault(a.Uuid) == 1);
        var missing = acknowledged.Where(a => stored.GetValueOrDefault(a.Uuid) == 0).ToList();
        var duplicated = acknowledged.Where(a => stored.GetValueOrDefault(a.Uuid) > 1).ToList();
        var lostByEmulator = new HashSet<Guid>();
        foreach (var post in missing)
        {
            var byEmulator = kill?.Explains(post) == true;
            if (byEmulator)
            {
                lostByEmulator.Add(post.Group);
            }

            findings.Add(new Finding("missing", post.Describe(), byEmulator, kill?.Why(post) ?? "no kill in this run"));
        }

        findings.AddRange(duplicated.Select(post => new Finding("duplicated", post.Describe(), false, $"stored {stored[post.Uuid]} times")));

        var rowsByOwner = new Dictionary<Guid, List<Dictionary<string, AttributeValue>>>();
        foreach (var user in users)
        {
            rowsByOwner[user] = await QueryAllAsync(dynamo, table, GroupRowPk(user), token);
        }

        var byUuid = acknowledged.GroupBy(a => a.Uuid).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rowsExpected = 0;
        var rowsCurrent = 0;
        foreach (var (group, items) in messages.Where(m => m.Value.Count > 0))
        {
            // Members: the group item's, and everyone our acknowledged posts say took part (the group item can be gone).
            var posts = acknowledged.Where(a => a.Group == group).ToList();
            var members = (groupMembers[group] ?? []).Concat(posts.Select(a => a.Sender)).Concat(posts.Select(a => a.Recipient).OfType<Guid>()).ToHashSet();
            var latest = items.MaxBy(i => i["sk"].S, StringComparer.Ordinal)!;
            var latestPost = byUuid.GetValueOrDefault(latest[MessageUuid].S)?.Describe() ?? $"message {latest[MessageUuid].S} group {group} (not acknowledged: its request failed after the write)";
            var byEmulator = lostByEmulator.Contains(group);
            var emulatorWhy = byEmulator ? "the group holds a post the emulator dropped in the kill" : "";
            if (members.Count != 2 || groupMembers[group] is null)
            {
                findings.Add(new Finding("group", $"group {group}: latest {latestPost}", byEmulator,
                    $"{(groupMembers[group] is null ? "no group item" : "group item present")}, {members.Count} members known; {emulatorWhy}".TrimEnd(' ', ';')));
            }

            foreach (var owner in members)
            {
                rowsExpected++;
                var mine = rowsByOwner.GetValueOrDefault(owner, []).Where(r => r.TryGetValue(MessageGroupUuid, out var g) && g.S == group.ToString("D")).ToList();
                if (mine is [var row] && row["sk"].S == latest["sk"].S && row["message"].S == latest["message"].S)
                {
                    rowsCurrent++;
                    continue;
                }

                var state = mine.Count switch
                {
                    0 => "no row",
                    1 => $"row shows {mine[0]["sk"].S}, latest is {latest["sk"].S}",
                    _ => $"{mine.Count} rows",
                };
                findings.Add(new Finding("row", $"owner {owner}, group {group}: latest {latestPost}", byEmulator, byEmulator ? $"{state}; {emulatorWhy}" : state));
            }
        }

        return new LedgerReport(acknowledged.Count, storedOnce, missing.Count, duplicated.Count, groups.Count, rowsExpected, rowsCurrent, findings);
    }

    private static async Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(IAmazonDynamoDB dynamo, string table, string pk, CancellationToken token)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        var pages = dynamo.Paginators.Query(new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = pk } },
            ConsistentRead = true,
        });
        await foreach (var page in pages.Responses.WithCancellation(token))
        {
            items.AddRange(page.Items ?? []);
        }

        return items;
    }
}
