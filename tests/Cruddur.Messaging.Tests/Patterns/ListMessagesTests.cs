using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Users;
using Cruddur.Testing;
using Microsoft.Extensions.Time.Testing;
using static Cruddur.Messaging.Errors.MessagingErrorCodes;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>Pattern A: the messages of a group.</summary>
public sealed class ListMessagesTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_newest_page_comes_first_and_each_page_reads_oldest_to_newest()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = await ConversationAsync(world, clock, andrew, bayko, 6);

        var first = (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(4), Token)).ShouldSucceed();
        first.Items.Select(message => message.Text).ShouldBe(["message 2", "message 3", "message 4", "message 5"]);
        first.NextCursor.ShouldNotBeNull();

        var second = (await world.Messaging.ListMessagesAsync(bayko, group, new PageRequest(4), Token)).ShouldSucceed();
        second.Items.Count.ShouldBe(4);

        var older = (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(4, first.NextCursor), Token)).ShouldSucceed();
        older.Items.Select(message => message.Text).ShouldBe(["message 0", "message 1"]);
        older.NextCursor.ShouldBeNull();
        older.Items[0].Sender.ShouldBe(andrew);
        older.Items[1].Sender.ShouldBe(bayko);
        older.Items.ShouldAllBe(message => message.MessageGroupUuid == group);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(1)]
    [InlineData(100)]
    public async Task Paging_visits_every_message_exactly_once_in_time_order(int limit)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = await ConversationAsync(world, clock, andrew, bayko, 103);

        var seen = new List<Message>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(limit, cursor), Token)).ShouldSucceed();
            page.Items.Count.ShouldBeLessThanOrEqualTo(limit);
            page.Items.Count.ShouldBeGreaterThan(0);
            seen.InsertRange(0, page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        pages.ShouldBe((103 + limit - 1) / limit);
        seen.Select(message => message.Text).ShouldBe(Enumerable.Range(0, 103).Select(i => $"message {i}"));
        seen.Select(message => message.Uuid).Distinct().Count().ShouldBe(103);
    }

    [Fact]
    public async Task Messages_and_groups_of_the_previous_calendar_year_are_listed()
    {
        var now = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(new DateTimeOffset(now.Year - 1, 12, 31, 23, 59, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "last year", Token)).ShouldSucceed().MessageGroupUuid;
        clock.SetUtcNow(now);

        var messages = (await world.Messaging.ListMessagesAsync(bayko, group, new PageRequest(), Token)).ShouldSucceed();
        messages.Items.ShouldHaveSingleItem().Text.ShouldBe("last year");
        messages.Items[0].CreatedAt.Year.ShouldBe(now.Year - 1);

        var groups = (await world.Messaging.ListMessageGroupsAsync(bayko, new PageRequest(), Token)).ShouldSucceed();
        groups.Items.ShouldHaveSingleItem().Uuid.ShouldBe(group);
    }

    [Fact]
    public async Task A_non_member_gets_the_same_answer_as_for_a_group_that_does_not_exist()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, bayko, mallory) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"), await world.UserAsync("mallory"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "private", Token)).ShouldSucceed().MessageGroupUuid;

        var stranger = (await world.Messaging.ListMessagesAsync(mallory, group, new PageRequest(), Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        var unknown = (await world.Messaging.ListMessagesAsync(mallory, Guid.NewGuid(), new PageRequest(), Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        stranger.ShouldBe(unknown);

        // Also from a cold process, where the members are not cached yet.
        (await world.NewProcess().ListMessagesAsync(mallory, group, new PageRequest(), Token)).Error.ShouldBe(unknown);
        (await world.NewProcess().ListMessagesAsync(bayko, group, new PageRequest(), Token)).ShouldSucceed().Items.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Garbage_tampered_and_foreign_cursors_are_refused()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, bayko, carol) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"), await world.UserAsync("carol"));
        var withBayko = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "one", Token)).ShouldSucceed().MessageGroupUuid;
        await world.Messaging.PostToGroupAsync(andrew, withBayko, "two", Token);
        var withCarol = (await world.Messaging.PostToHandleAsync(andrew, "carol", "one", Token)).ShouldSucceed().MessageGroupUuid;
        await world.Messaging.PostToGroupAsync(carol, withCarol, "two", Token);

        var cursor = (await world.Messaging.ListMessagesAsync(andrew, withBayko, new PageRequest(1), Token)).ShouldSucceed().NextCursor.ShouldNotBeNull();
        var groupsCursor = (await world.Messaging.ListMessageGroupsAsync(andrew, new PageRequest(1), Token)).ShouldSucceed().NextCursor.ShouldNotBeNull();
        (await world.Messaging.ListMessagesAsync(andrew, withBayko, new PageRequest(1, cursor), Token)).ShouldSucceed().Items.ShouldHaveSingleItem().Text.ShouldBe("one");

        string[] refused =
        [
            "garbage",
            "!!!",
            new string('A', 4000),
            Tamper(cursor),
            cursor[..^2],
            groupsCursor,
        ];
        foreach (var bad in refused)
        {
            (await world.Messaging.ListMessagesAsync(andrew, withBayko, new PageRequest(1, bad), Token)).ShouldFail(CursorInvalid);
        }

        // Andrew's cursor of one group is refused for his other group, and for the other member of the same group.
        (await world.Messaging.ListMessagesAsync(andrew, withCarol, new PageRequest(1, cursor), Token)).ShouldFail(CursorInvalid);
        (await world.Messaging.ListMessagesAsync(bayko, withBayko, new PageRequest(1, cursor), Token)).ShouldFail(CursorInvalid);
        (await world.Messaging.ListMessageGroupsAsync(bayko, new PageRequest(1, groupsCursor), Token)).ShouldFail(CursorInvalid);
        (await world.Messaging.ListMessageGroupsAsync(andrew, new PageRequest(1, cursor), Token)).ShouldFail(CursorInvalid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public async Task A_limit_outside_1_to_100_is_refused(int limit)
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, _) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "hi", Token)).ShouldSucceed().MessageGroupUuid;

        (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(limit), Token)).ShouldFail(LimitOutOfRange);
        (await world.Messaging.ListMessageGroupsAsync(andrew, new PageRequest(limit), Token)).ShouldFail(LimitOutOfRange);
    }

    [Fact]
    public async Task The_empty_uuid_is_not_a_group_uuid_and_text_must_be_a_uuid()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var andrew = await world.UserAsync("andrew");

        (await world.Messaging.ListMessagesAsync(andrew, Guid.Empty, new PageRequest(), Token)).ShouldFail(MessageGroupUuidInvalid);
        MessageGroups.MessageGroupUuidText.Parse("not-a-uuid").ShouldFail(MessageGroupUuidInvalid);
        MessageGroups.MessageGroupUuidText.Parse(Guid.Empty.ToString()).ShouldFail(MessageGroupUuidInvalid);
        var uuid = Guid.NewGuid();
        MessageGroups.MessageGroupUuidText.Parse($" {uuid} ").ShouldSucceed().ShouldBe(uuid);
    }

    [Fact]
    public async Task Items_in_the_original_shape_read_correctly_and_their_members_may_post()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, bayko, mallory) = (await world.UserAsync("andrew", "Andrew Brown"), await world.UserAsync("bayko", "Andrew Bayko"), await world.UserAsync("mallory"));
        var group = Guid.NewGuid();
        // What the original seed and create_message scripts wrote: naive timestamps, no group item, no pair item.
        await world.PutRawAsync(Raw.OriginalGroupRow(andrew.Uuid, group, "2023-02-26T12:34:57.000001", bayko, "Sure"));
        await world.PutRawAsync(Raw.OriginalGroupRow(bayko.Uuid, group, "2023-02-26T12:34:57.000001", andrew, "Sure"));
        await world.PutRawAsync(Raw.OriginalMessage(group, "2023-02-26T12:34:56.789012", andrew, "Have you watched Babylon 5?"));
        await world.PutRawAsync(Raw.OriginalMessage(group, "2023-02-26T12:34:57.000001", bayko, "Sure"));

        // A stranger is refused by the GSI fallback itself, before anything is cached.
        (await world.NewProcess().ListMessagesAsync(mallory, group, new PageRequest(), Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        (await world.NewProcess().PostToGroupAsync(mallory, group, "hi", Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);

        var messages = (await world.Messaging.ListMessagesAsync(bayko, group, new PageRequest(), Token)).ShouldSucceed();
        messages.Items.Select(message => (message.Text, message.Sender.Handle, message.Sender.DisplayName)).ShouldBe(
            [("Have you watched Babylon 5?", "andrew", "Andrew Brown"), ("Sure", "bayko", "Andrew Bayko")]);
        messages.Items[0].CreatedAt.ShouldBe(new DateTimeOffset(2023, 2, 26, 12, 34, 56, TimeSpan.Zero).AddTicks(7_890_120));

        var groups = (await world.Messaging.ListMessageGroupsAsync(andrew, new PageRequest(), Token)).ShouldSucceed();
        var row = groups.Items.ShouldHaveSingleItem();
        (row.Uuid, row.Other.Handle, row.LastMessage).ShouldBe((group, "bayko", "Sure"));

        (await world.Messaging.ListMessagesAsync(mallory, group, new PageRequest(), Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        (await world.Messaging.PostToGroupAsync(andrew, group, "Not yet", Token)).ShouldSucceed();
        (await world.NewProcess().ListMessagesAsync(andrew, group, new PageRequest(), Token)).ShouldSucceed()
            .Items.Select(message => message.Text).ShouldBe(["Have you watched Babylon 5?", "Sure", "Not yet"]);
    }

    internal static async Task<Guid> ConversationAsync(MessagingWorld world, FakeTimeProvider clock, UserSummary first, UserSummary second, int count)
    {
        var group = (await world.Messaging.PostToHandleAsync(first, second.Handle, "message 0", Token)).ShouldSucceed().MessageGroupUuid;
        for (var i = 1; i < count; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            (await world.Messaging.PostToGroupAsync(i % 2 == 0 ? first : second, group, $"message {i}", Token)).ShouldSucceed();
        }

        return group;
    }

    private static string Tamper(string cursor)
    {
        var characters = cursor.ToCharArray();
        var middle = characters.Length / 2;
        characters[middle] = characters[middle] == 'A' ? 'B' : 'A';
        return new string(characters);
    }
}
