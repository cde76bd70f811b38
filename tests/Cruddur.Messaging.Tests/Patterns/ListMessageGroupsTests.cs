using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Paging;
using Cruddur.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>Pattern B: my message groups.</summary>
public sealed class ListMessageGroupsTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task My_groups_come_newest_first_and_paging_visits_each_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 2, 1, 9, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var me = await world.UserAsync("me");
        var handles = Enumerable.Range(0, 7).Select(i => $"friend{i}").ToArray();
        foreach (var handle in handles)
        {
            await world.UserAsync(handle);
            clock.Advance(TimeSpan.FromMinutes(1));
            (await world.Messaging.PostToHandleAsync(me, handle, $"hello {handle}", Token)).ShouldSucceed();
        }

        var seen = new List<MessageGroup>();
        string? cursor = null;
        do
        {
            var page = (await world.Messaging.ListMessageGroupsAsync(me, new PageRequest(3, cursor), Token)).ShouldSucceed();
            page.Items.Count.ShouldBeInRange(1, 3);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        seen.Select(group => group.Other.Handle).ShouldBe(handles.Reverse());
        seen.Select(group => group.LastMessage).ShouldBe(handles.Reverse().Select(handle => $"hello {handle}"));
        seen.Select(group => group.Uuid).Distinct().Count().ShouldBe(7);

        // The other side sees the group naming me.
        var friend = (await world.Messaging.ListMessageGroupsAsync(await world.UserAsync("friend3"), new PageRequest(), Token)).ShouldSucceed();
        friend.Items.ShouldHaveSingleItem().Other.Handle.ShouldBe("me");
    }

    [Fact]
    public async Task A_group_with_a_duplicate_row_is_listed_once_with_its_newest_row()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 2, 1, 9, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var me = await world.UserAsync("me");
        var groups = new List<Guid>();
        foreach (var handle in new[] { "a1", "a2", "a3" })
        {
            await world.UserAsync(handle);
            clock.Advance(TimeSpan.FromMinutes(1));
            groups.Add((await world.Messaging.PostToHandleAsync(me, handle, "first", Token)).ShouldSucceed().MessageGroupUuid);
        }

        // Pattern E moving a1's row with put-then-delete: for a moment the new row and the old one both exist.
        var a1 = (await world.UserAsync("a1"));
        await world.PutRawAsync(Raw.OriginalGroupRow(me.Uuid, groups[0], "2026-02-01T10:00:00.000000+00:00", a1, "moved"));

        var page = (await world.Messaging.ListMessageGroupsAsync(me, new PageRequest(3), Token)).ShouldSucceed();
        page.Items.Select(group => (group.Other.Handle, group.LastMessage)).ShouldBe([("a1", "moved"), ("a3", "first"), ("a2", "first")]);
        page.NextCursor.ShouldBeNull();
    }

    [Fact]
    public async Task A_page_is_filled_with_distinct_groups_even_past_many_duplicate_rows()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (me, x, y) = (await world.UserAsync("me"), await world.UserAsync("x"), await world.UserAsync("y"));
        var (groupX, groupY) = (Guid.NewGuid(), Guid.NewGuid());
        for (var second = 10; second < 20; second++)
        {
            await world.PutRawAsync(Raw.OriginalGroupRow(me.Uuid, groupX, $"2026-01-01T00:00:{second}.000000+00:00", x, $"x {second}"));
        }

        await world.PutRawAsync(Raw.OriginalGroupRow(me.Uuid, groupY, "2026-01-01T00:00:05.000000+00:00", y, "y"));

        var page = (await world.Messaging.ListMessageGroupsAsync(me, new PageRequest(2), Token)).ShouldSucceed();
        page.Items.Select(group => (group.Uuid, group.LastMessage)).ShouldBe([(groupX, "x 19"), (groupY, "y")]);
        page.NextCursor.ShouldBeNull();

        var first = (await world.Messaging.ListMessageGroupsAsync(me, new PageRequest(1), Token)).ShouldSucceed();
        first.Items.ShouldHaveSingleItem().Uuid.ShouldBe(groupX);
        first.NextCursor.ShouldNotBeNull();
    }

    [Fact]
    public async Task Someone_without_groups_gets_an_empty_last_page()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var page = (await world.Messaging.ListMessageGroupsAsync(await world.UserAsync("lonely"), new PageRequest(), Token)).ShouldSucceed();
        page.Items.ShouldBeEmpty();
        page.NextCursor.ShouldBeNull();
    }
}
