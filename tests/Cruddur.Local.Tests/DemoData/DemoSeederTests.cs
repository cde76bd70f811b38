using Amazon.DynamoDBv2.Model;
using Cruddur.Local.DemoData;
using Cruddur.Messaging.Table;
using Cruddur.Messaging.Users;

namespace Cruddur.Local.Tests.DemoData;

public sealed class DemoSeederTests
{
    public static TheoryData<string> Nows =>
    [
        "2026-11-25T21:40:00+00:00",
        "2027-01-01T00:00:30+00:00",
        "2027-01-03T08:00:00+00:00",
        "2028-02-29T12:00:00+00:00",
        "2026-12-31T23:59:59.999999+00:00",
    ];

    [Theory]
    [MemberData(nameof(Nows))]
    public void Message_times_increase_stay_in_the_past_and_start_in_the_previous_year(string nowText)
    {
        var now = DateTimeOffset.Parse(nowText, System.Globalization.CultureInfo.InvariantCulture);

        var times = DemoSeeder.MessageTimes(now);

        times.Length.ShouldBe(DemoSeeder.ConversationItemCount - 4);
        times.Zip(times.Skip(1)).ShouldAllBe(pair => pair.First < pair.Second);
        times.ShouldAllBe(time => time <= now);
        times.Count(time => time.Year == now.Year - 1).ShouldBe(DemoSeeder.LastYearMessageCount);
        times.Skip(DemoSeeder.LastYearMessageCount).ShouldAllBe(time => time.Year == now.Year);
    }

    [Fact]
    public void The_conversation_is_written_in_the_original_layout_plus_our_group_and_pair_items()
    {
        var first = new UserSummary(Guid.NewGuid(), "first", "First");
        var second = new UserSummary(Guid.NewGuid(), "second", "Second");

        var items = DemoSeeder.ConversationItems(first, second, DateTimeOffset.UtcNow);

        items.Count.ShouldBe(DemoSeeder.ConversationItemCount);
        var messages = items.Select(MessageItems.ReadMessage).OfType<Cruddur.Messaging.Messages.Message>().ToList();
        messages.Count.ShouldBe(DemoSeeder.ConversationItemCount - 4);
        messages.Select(message => message.MessageGroupUuid).Distinct().ShouldHaveSingleItem();
        messages.Select(message => message.Sender.Handle).Distinct().Order().ShouldBe(["first", "second"]);
        items.Where(item => item.ContainsKey(MessageTableKeys.Pk) && item[MessageTableKeys.Pk].S.StartsWith("MSG#", StringComparison.Ordinal))
            .ShouldAllBe(item => !item.ContainsKey(MessageTableKeys.MessageGroupUuid));

        var last = messages.MaxBy(message => message.CreatedAt)!;
        var rows = items.Where(item => MessageItems.ReadGroupRowOwner(item) is not null).ToList();
        rows.Count.ShouldBe(2);
        MessageItems.ReadGroupRow(rows.Single(row => MessageItems.ReadGroupRowOwner(row) == first.Uuid))!
            .ShouldBe(new Cruddur.Messaging.MessageGroups.MessageGroup(last.MessageGroupUuid, second, last.Text, last.CreatedAt));
        MessageItems.ReadGroupRow(rows.Single(row => MessageItems.ReadGroupRowOwner(row) == second.Uuid))!
            .ShouldBe(new Cruddur.Messaging.MessageGroups.MessageGroup(last.MessageGroupUuid, first, last.Text, last.CreatedAt));

        MessageItems.ReadGroupMembers(Single(items, MessageTableKeys.GroupPk(last.MessageGroupUuid)))!.ShouldBe([first.Uuid, second.Uuid], ignoreOrder: true);
        MessageItems.ReadPairGroup(Single(items, MessageTableKeys.PairPk(second.Uuid, first.Uuid))).ShouldBe(last.MessageGroupUuid);
    }

    private static Dictionary<string, AttributeValue> Single(List<Dictionary<string, AttributeValue>> items, string pk) =>
        items.Single(item => item[MessageTableKeys.Pk].S == pk);
}
