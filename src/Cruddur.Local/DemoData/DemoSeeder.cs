using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;
using Npgsql;

namespace Cruddur.Local.DemoData;

/// <summary>Seeds the demo users (PostgreSQL) and the demo conversation (DynamoDB). Used by <c>cruddur ddb/db seed</c> and <c>dotnet run</c>.</summary>
public static class DemoSeeder
{
    /// <summary>The demo users, in order; the conversation is between the first two.</summary>
    public static IReadOnlyList<DemoUser> Users { get; } =
    [
        new("andrewbrown", "Andrew Brown", "andrew@example.com"),
        new("bayko", "Andrew Bayko", "bayko@example.com"),
        new("londo", "Londo Mollari", "londo@example.com"),
    ];

    /// <summary>How many items <see cref="SeedConversationIfEmptyAsync"/> writes: the messages, two group rows, the group and the pair item.</summary>
    public static int ConversationItemCount => DemoConversation.Lines.Count + 4;

    /// <summary>How many messages of the demo conversation are dated in the previous calendar year.</summary>
    public static int LastYearMessageCount => DemoConversation.LastYearCount;

    /// <summary>Inserts the demo users that are missing; returns how many were inserted.</summary>
    public static async Task<int> SeedUsersAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(SqlFiles.Read(typeof(DemoSeeder).Assembly, "DemoData/demo-users.seed.sql"));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. Users.Select(user => user.DisplayName)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. Users.Select(user => user.Handle)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. Users.Select(user => user.Email)] });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the demo conversation between the first two demo users (who must exist) unless those two already have a
    /// conversation (their pair item exists); returns the number of items written (0 when it existed). Reports progress
    /// as items written so far.
    /// </summary>
    /// <remarks>
    /// The check reads the pair item rather than scanning for "any item": the design allows no Scan outside the scan
    /// command, and a table with other people's conversations should still get the demo.
    /// </remarks>
    public static async Task<int> SeedConversationIfEmptyAsync(TableGateway table, UserStore users, TimeProvider timeProvider, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var first = await users.FindByHandleAsync(Users[0].Handle, cancellationToken)
            ?? throw new InvalidOperationException($"Demo user @{Users[0].Handle} does not exist: seed the users first (cruddur db seed).");
        var second = await users.FindByHandleAsync(Users[1].Handle, cancellationToken)
            ?? throw new InvalidOperationException($"Demo user @{Users[1].Handle} does not exist: seed the users first (cruddur db seed).");

        var pair = MessageItems.Pair(first.Uuid, second.Uuid, Guid.Empty, DateTimeOffset.UnixEpoch);
        var existing = await table.GetItemAsync("seed.get_pair", new GetItemRequest { Key = Key(pair), ConsistentRead = true }, cancellationToken);
        if (MessageItems.ReadPairGroup(existing.Item) is not null)
        {
            return 0;
        }

        var items = ConversationItems(first.Summary, second.Summary, timeProvider.GetUtcNow());
        var written = 0;
        foreach (var chunk in items.Chunk(TableGateway.MaxBatchWriteItems))
        {
            await table.BatchPutAsync("seed.batch_write", chunk, cancellationToken);
            written += chunk.Length;
            progress?.Report(written);
        }

        return written;
    }

    /// <summary>Every item of the conversation: messages, both participants' group rows, our group item and pair item.</summary>
    internal static List<Dictionary<string, AttributeValue>> ConversationItems(UserSummary first, UserSummary second, DateTimeOffset now)
    {
        var groupUuid = Guid.NewGuid();
        var times = MessageTimes(now);
        var messages = DemoConversation.Lines
            .Select((line, index) => new Message(Guid.NewGuid(), groupUuid, line.Text, line.Speaker == 0 ? first : second, times[index]))
            .ToList();
        var last = messages[^1];
        var createdAt = messages[0].CreatedAt;

        List<Dictionary<string, AttributeValue>> items = [.. messages.Select(MessageItems.Message)];
        items.Add(MessageItems.GroupRow(first.Uuid, new MessageGroup(groupUuid, second, last.Text, last.CreatedAt)));
        items.Add(MessageItems.GroupRow(second.Uuid, new MessageGroup(groupUuid, first, last.Text, last.CreatedAt)));
        items.Add(MessageItems.Group(groupUuid, first.Uuid, second.Uuid, createdAt));
        items.Add(MessageItems.Pair(first.Uuid, second.Uuid, groupUuid, createdAt));
        return items;
    }

    /// <summary>
    /// The first lines spread over 27–31 December of the previous year, the rest evenly over the days before
    /// <paramref name="now"/> (but not before 1 January), all strictly increasing and in the past.
    /// </summary>
    internal static DateTimeOffset[] MessageTimes(DateTimeOffset now)
    {
        now = now.ToUniversalTime();
        var yearStart = new DateTimeOffset(now.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var lastYearFrom = yearStart.AddDays(-5).AddHours(18);
        var lastYearTo = yearStart.AddHours(-2);
        var recentCount = DemoConversation.Lines.Count - DemoConversation.LastYearCount;
        var recentTo = now.AddMinutes(-1);
        var recentFrom = Max(yearStart, now.AddDays(-10));
        if (recentTo <= recentFrom)
        {
            // Only in the first minute of a year: squeeze the recent part into it.
            recentTo = now;
        }

        return
        [
            .. Spread(lastYearFrom, lastYearTo, DemoConversation.LastYearCount),
            .. Spread(recentFrom, recentTo, recentCount),
        ];
    }

    private static IEnumerable<DateTimeOffset> Spread(DateTimeOffset from, DateTimeOffset to, int count)
    {
        var step = TimeSpan.FromTicks(Math.Max((to - from).Ticks / Math.Max(count - 1, 1), TimeSpan.TicksPerMillisecond));
        // Up to a second of odd microseconds so the times look real rather than a grid; only where that keeps their order.
        var jitter = step > TimeSpan.FromSeconds(2);
        return Enumerable.Range(0, count).Select(index => from + (step * index) + TimeSpan.FromMicroseconds(jitter ? (index * 7919L) % 1_000_000 : 0));
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static Dictionary<string, AttributeValue> Key(Dictionary<string, AttributeValue> item) => new()
    {
        [MessageTableKeys.Pk] = item[MessageTableKeys.Pk],
        [MessageTableKeys.Sk] = item[MessageTableKeys.Sk],
    };
}

/// <summary>A demo user as <see cref="DemoSeeder.SeedUsersAsync"/> inserts it.</summary>
public sealed record DemoUser(string Handle, string DisplayName, string Email);
