using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Paging;
using Cruddur.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>Pattern D: message a user by handle.</summary>
public sealed class PostToHandleTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_first_message_creates_the_group_pair_both_rows_and_the_message_together()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 22, 41, 58, TimeSpan.Zero).AddTicks(1_234_567));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew", "Andrew Brown"), await world.UserAsync("bayko", "Andrew Bayko"));

        var first = (await world.Messaging.PostToHandleAsync(andrew, "@bayko", " Hello! ", Token)).ShouldSucceed();

        first.Text.ShouldBe("Hello!");
        first.Sender.ShouldBe(andrew);
        var group = first.MessageGroupUuid;
        var items = await world.ScanAsync();
        items.Select(item => item["pk"].S).Order().ShouldBe(
            new[] { $"GRP#{andrew.Uuid}", $"GRP#{bayko.Uuid}", $"GROUP#{group}", $"MSG#{group}", PairPk(andrew.Uuid, bayko.Uuid) }.Order());

        var groupItem = items.Single(item => item["pk"].S.StartsWith("GROUP#", StringComparison.Ordinal));
        groupItem["member_uuids"].SS.Order().ShouldBe(new[] { andrew.Uuid.ToString(), bayko.Uuid.ToString() }.Order());
        items.Single(item => item["pk"].S.StartsWith("PAIR#", StringComparison.Ordinal))["group_uuid"].S.ShouldBe(group.ToString());
        // Only the two group rows are in the sparse GSI.
        items.Count(item => item.ContainsKey("message_group_uuid")).ShouldBe(2);

        var andrewsRow = items.Single(item => item["pk"].S == $"GRP#{andrew.Uuid}");
        (andrewsRow["sk"].S, andrewsRow["message_group_uuid"].S, andrewsRow["message"].S).ShouldBe(("2026-11-24T22:41:58.123456+00:00", group.ToString(), "Hello!"));
        (andrewsRow["user_uuid"].S, andrewsRow["user_handle"].S, andrewsRow["user_display_name"].S).ShouldBe((bayko.Uuid.ToString(), "bayko", "Andrew Bayko"));
        var baykosRow = items.Single(item => item["pk"].S == $"GRP#{bayko.Uuid}");
        (baykosRow["user_uuid"].S, baykosRow["user_handle"].S, baykosRow["message"].S).ShouldBe((andrew.Uuid.ToString(), "andrew", "Hello!"));

        var read = (await world.Messaging.ListMessagesAsync(bayko, group, new PageRequest(), Token)).ShouldSucceed();
        read.Items.ShouldHaveSingleItem().ShouldBe(first);
    }

    [Fact]
    public async Task Later_messages_of_either_side_go_to_the_pairs_existing_group()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "one", Token)).ShouldSucceed().MessageGroupUuid;
        clock.Advance(TimeSpan.FromSeconds(1));

        (await world.Messaging.PostToHandleAsync(bayko, "andrew", "two", Token)).ShouldSucceed().MessageGroupUuid.ShouldBe(group);
        clock.Advance(TimeSpan.FromSeconds(1));
        (await world.NewProcess().PostToHandleAsync(andrew, "bayko", "three", Token)).ShouldSucceed().MessageGroupUuid.ShouldBe(group);

        (await world.ItemsAsync("GROUP#")).Count.ShouldBe(1);
        (await world.ItemsAsync("PAIR#")).Count.ShouldBe(1);
        // C and D on an existing group write only the message; pattern E moves the rows.
        (await world.ItemsAsync("GRP#")).Count.ShouldBe(2);
        (await world.Messaging.ListMessagesAsync(bayko, group, new PageRequest(), Token)).ShouldSucceed()
            .Items.Select(message => message.Text).ShouldBe(["one", "two", "three"]);
    }

    [Fact]
    public async Task Both_sides_starting_a_conversation_at_once_end_up_in_exactly_one_group()
    {
        // Two fresh processes started together usually both find no pair and both try to create the group. Rounds go
        // on until that race has happened (at most 30): a test where it never happened proves nothing.
        await using var world = await MessagingWorld.CreateAsync(services);
        var (rounds, races) = (0, 0);
        for (var round = 0; round < 30 && (round < 6 || races == 0); round++, rounds++)
        {
            var (left, right) = (await world.UserAsync($"left{round}"), await world.UserAsync($"right{round}"));
            var ((leftProcess, leftRecorder), (rightProcess, rightRecorder)) = (world.NewProcessWithRecorder(), world.NewProcessWithRecorder());
            using var start = new ManualResetEventSlim();
            var fromLeft = Task.Run(() => { start.Wait(Token); return leftProcess.PostToHandleAsync(left, right.Handle, "hi from left", Token); }, Token);
            var fromRight = Task.Run(() => { start.Wait(Token); return rightProcess.PostToHandleAsync(right, left.Handle, "hi from right", Token); }, Token);
            start.Set();
            var (a, b) = ((await fromLeft).ShouldSucceed(), (await fromRight).ShouldSucceed());

            // How the race went: 2 transactions means both sides tried to create the group and one lost.
            var transactions = Transactions(leftRecorder) + Transactions(rightRecorder);
            TestContext.Current.TestOutputHelper?.WriteLine($"round {round}: {transactions} D.transact calls");
            transactions.ShouldBeInRange(1, 2);
            races += transactions == 2 ? 1 : 0;
            a.MessageGroupUuid.ShouldBe(b.MessageGroupUuid);
            var group = a.MessageGroupUuid;
            (await world.ItemsAsync(PairPk(left.Uuid, right.Uuid))).ShouldHaveSingleItem()["group_uuid"].S.ShouldBe(group.ToString());
            (await world.ItemsAsync($"GROUP#{group}")).ShouldHaveSingleItem();
            foreach (var side in new[] { left, right })
            {
                (await world.Messaging.ListMessageGroupsAsync(side, new PageRequest(), Token)).ShouldSucceed().Items.ShouldHaveSingleItem().Uuid.ShouldBe(group);
            }

            (await world.Messaging.ListMessagesAsync(left, group, new PageRequest(), Token)).ShouldSucceed()
                .Items.Select(message => message.Text).Order().ShouldBe(["hi from left", "hi from right"]);
        }

        races.ShouldBeGreaterThan(0, $"no round of {rounds} raced: both sides never tried to create the group at once");
        (await world.ItemsAsync("GROUP#")).Count.ShouldBe(rounds);
        (await world.ItemsAsync("PAIR#")).Count.ShouldBe(rounds);
        (await world.ItemsAsync("GRP#")).Count.ShouldBe(rounds * 2);
    }

    private static long Transactions(ConsumedCapacityRecorder recorder) => recorder.Calls.GetValueOrDefault("D.transact");

    private static string PairPk(Guid a, Guid b) => a.CompareTo(b) <= 0 ? $"PAIR#{a}#{b}" : $"PAIR#{b}#{a}";
}
