using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Paging;
using Cruddur.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Cruddur.Messaging.Errors.MessagingErrorCodes;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>Pattern C: post to a group I belong to.</summary>
public sealed class PostToGroupTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_post_stores_the_trimmed_text_as_an_original_shaped_message_item()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 22, 41, 58, TimeSpan.Zero).AddTicks(1_234_567));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew", "Andrew Brown"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(bayko, "andrew", "hi", Token)).ShouldSucceed().MessageGroupUuid;
        clock.Advance(TimeSpan.FromSeconds(1));

        var posted = (await world.Messaging.PostToGroupAsync(andrew, group, "  \n Have you watched Babylon 5? \t", Token)).ShouldSucceed();

        posted.Text.ShouldBe("Have you watched Babylon 5?");
        posted.MessageGroupUuid.ShouldBe(group);
        posted.Sender.ShouldBe(andrew);
        var item = (await world.ItemsAsync("MSG#")).Single(i => i["message_uuid"].S == posted.Uuid.ToString());
        item.Keys.Order().ShouldBe(["message", "message_uuid", "pk", "sk", "user_display_name", "user_handle", "user_uuid"]);
        item["pk"].S.ShouldBe($"MSG#{group}");
        item["sk"].S.ShouldBe("2026-11-24T22:41:59.123456+00:00");
        item["message"].S.ShouldBe("Have you watched Babylon 5?");
        (item["user_uuid"].S, item["user_handle"].S, item["user_display_name"].S).ShouldBe((andrew.Uuid.ToString(), "andrew", "Andrew Brown"));
    }

    [Fact]
    public async Task Two_posts_in_the_same_microsecond_are_both_stored_one_microsecond_apart()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "first", Token)).ShouldSucceed().MessageGroupUuid;

        var second = (await world.Messaging.PostToGroupAsync(bayko, group, "second", Token)).ShouldSucceed();
        var third = (await world.NewProcess().PostToGroupAsync(andrew, group, "third", Token)).ShouldSucceed();

        second.CreatedAt.ShouldBe(clock.GetUtcNow().AddTicks(10));
        third.CreatedAt.ShouldBe(clock.GetUtcNow().AddTicks(20));
        var page = (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(), Token)).ShouldSucceed();
        page.Items.Select(message => message.Text).ShouldBe(["first", "second", "third"]);
        page.Items.Select(message => message.CreatedAt).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task Concurrent_posts_in_one_frozen_microsecond_are_all_stored()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        await using var world = await MessagingWorld.CreateAsync(services, clock);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "first", Token)).ShouldSucceed().MessageGroupUuid;

        var posts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => world.Messaging.PostToGroupAsync(i % 2 == 0 ? andrew : bayko, group, $"post {i}", Token), Token)));

        posts.ShouldAllBe(post => post.Succeeded);
        var stored = (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(100), Token)).ShouldSucceed().Items;
        stored.Count.ShouldBe(21);
        stored.Select(message => message.Uuid).ShouldBe(posts.Select(post => post.Value!).OrderBy(message => message.CreatedAt).Select(message => message.Uuid).Prepend(stored[0].Uuid));
    }

    [Fact]
    public async Task Two_hundred_concurrent_posts_are_all_stored_and_listed_in_time_order()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "first", Token)).ShouldSucceed().MessageGroupUuid;
        var other = world.NewProcess();

        var posts = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => (i % 2 == 0 ? world.Messaging : other).PostToGroupAsync(i % 2 == 0 ? andrew : bayko, group, $"post {i}", Token), Token)));

        var stored = new List<Messages.Message>();
        string? cursor = null;
        do
        {
            var page = (await world.Messaging.ListMessagesAsync(bayko, group, new PageRequest(100, cursor), Token)).ShouldSucceed();
            stored.InsertRange(0, page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        stored.Count.ShouldBe(201);
        stored.Skip(1).Select(message => message.Uuid).Order().ShouldBe(posts.Select(post => post.ShouldSucceed().Uuid).Order());
        stored.Select(message => message.CreatedAt).ShouldBeInOrder(SortDirection.Ascending);
        stored.Select(message => message.CreatedAt).Distinct().Count().ShouldBe(201);
    }

    [Fact]
    public async Task A_non_member_can_neither_post_nor_learn_that_the_group_exists()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, _, mallory) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"), await world.UserAsync("mallory"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "private", Token)).ShouldSucceed().MessageGroupUuid;
        var before = await world.CountItemsAsync();

        var stranger = (await world.Messaging.PostToGroupAsync(mallory, group, "let me in", Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        var unknown = (await world.Messaging.PostToGroupAsync(mallory, Guid.NewGuid(), "let me in", Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        var cold = (await world.NewProcess().PostToGroupAsync(mallory, group, "let me in", Token)).Error;

        stranger.ShouldBe(unknown);
        cold.ShouldBe(unknown);
        (await world.CountItemsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task A_put_retried_after_its_first_attempt_was_written_stores_the_message_once()
    {
        // What an SDK retry does when the first answer was lost: the same put again, the item already there.
        await using var world = await MessagingWorld.CreateAsync(services);
        var sender = await world.UserAsync("retrier");
        var table = world.Services.GetRequiredService<Table.MessageTable>();
        var message = new Messages.Message(Guid.NewGuid(), Guid.NewGuid(), "once", sender, Time.MessageTimestamp.TruncateToMicroseconds(DateTimeOffset.UtcNow));
        var other = message with { Uuid = Guid.NewGuid(), Text = "another at the same microsecond" };

        (await table.PutMessageAsync(message, "C.put_message", Token)).ShouldBe(message);
        (await table.PutMessageAsync(message, "C.put_message", Token)).ShouldBe(message);
        var moved = await table.PutMessageAsync(other, "C.put_message", Token);

        moved.CreatedAt.ShouldBeGreaterThan(message.CreatedAt);
        var items = await world.ItemsAsync("MSG#");
        items.Count(i => i["message_uuid"].S == message.Uuid.ToString()).ShouldBe(1);
        items.Count.ShouldBe(2);
    }
}
