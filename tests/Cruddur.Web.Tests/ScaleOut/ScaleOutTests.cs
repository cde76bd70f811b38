using System.Net;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.ScaleOut;

/// <summary>
/// Two app instances, one redis-server, pattern E outside both: live updates and the post limit span the instances,
/// and a Redis outage costs live updates for its length, never a post.
/// </summary>
public sealed class ScaleOutTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_listener_on_one_instance_hears_a_message_posted_through_the_other_both_ways()
    {
        using var bobOnOne = await instances.One.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        using var aliceOnOne = await instances.One.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var aliceOnTwo = instances.Two.CreateAuthorizedClient(aliceOnOne.Token);
        await using var aliceListensOnTwo = await EventReader.OpenAsync(aliceOnTwo);
        await using var bobListensOnOne = await EventReader.OpenAsync(bobOnOne.Client);

        var group = (await bobOnOne.Client.SendToHandleAsync(aliceOnOne.Handle, "posted through one")).GetProperty("message_group_uuid").GetGuid();
        (await aliceListensOnTwo.NextDataLineAsync()).ShouldBe(EventReader.DataLineOf(group));
        (await bobListensOnOne.NextDataLineAsync()).ShouldBe(EventReader.DataLineOf(group));

        await aliceOnTwo.SendToGroupAsync(group, "posted through two");
        (await bobListensOnOne.NextDataLineAsync()).ShouldBe(EventReader.DataLineOf(group));
        (await aliceListensOnTwo.NextDataLineAsync()).ShouldBe(EventReader.DataLineOf(group));
    }

    [Fact]
    public async Task The_post_limit_holds_across_the_instances()
    {
        using var bob = await instances.One.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        using var aliceOnOne = await instances.One.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var aliceOnTwo = instances.Two.CreateAuthorizedClient(aliceOnOne.Token);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TwoInstances.PostLimit + 2; i++)
        {
            using var response = await (i % 2 == 0 ? aliceOnOne.Client : aliceOnTwo).PostMessageAsync(new { message = $"post {i}", handle = bob.Handle });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
                response.Headers.RetryAfter.ShouldNotBeNull();
            }
        }

        // Each instance alone saw only half the posts; together they were one over the limit, then two.
        statuses.ShouldBe([.. Enumerable.Repeat(HttpStatusCode.OK, TwoInstances.PostLimit), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]);
    }

    [Fact]
    public async Task With_Redis_killed_posts_still_succeed_and_after_its_restart_events_flow_again()
    {
        using var bobOnOne = await instances.One.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        using var aliceOnOne = await instances.One.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var aliceOnTwo = instances.Two.CreateAuthorizedClient(aliceOnOne.Token);
        await using var aliceListensOnTwo = await EventReader.OpenAsync(aliceOnTwo);
        var group = (await bobOnOne.Client.SendToHandleAsync(aliceOnOne.Handle, "before the outage")).GetProperty("message_group_uuid").GetGuid();
        (await aliceListensOnTwo.NextDataLineAsync()).ShouldBe(EventReader.DataLineOf(group));

        await instances.Redis.KillAsync();
        try
        {
            // Both instances keep posting and reading (the limit falls back to per instance), and say they are degraded.
            await bobOnOne.Client.SendToGroupAsync(group, "during the outage, through one");
            await aliceOnTwo.SendToGroupAsync(group, "during the outage, through two");
            (await aliceOnTwo.GetJsonAsync($"/api/messages/{group}")).GetArrayLength().ShouldBe(3);
            foreach (var app in new[] { instances.One, instances.Two })
            {
                using var client = app.CreateClient();
                using var ready = await client.GetAsync("/health/ready", Token);
                ready.StatusCode.ShouldBe(HttpStatusCode.OK);
                (await ready.Content.ReadAsStringAsync(Token)).ShouldBe("Degraded");
            }
        }
        finally
        {
            await instances.Redis.RestartAsync(Token);
        }

        // The open stream was never closed. Once instance two has reconnected by itself, it tells its listeners to re-read
        // (the posts of the outage went unheard there), and it hears posts again.
        (await aliceListensOnTwo.NextDataLineAsync()).ShouldBe("data: {\"resync\":true}");

        string? heard = null;
        for (var attempt = 0; attempt < 30 && heard is null; attempt++)
        {
            await bobOnOne.Client.SendToGroupAsync(group, $"after the restart {attempt}");
            heard = await aliceListensOnTwo.NextDataLineAsync(TimeSpan.FromSeconds(1));
        }

        heard.ShouldBe(EventReader.DataLineOf(group));
    }

    [Fact]
    public async Task A_user_may_hold_five_event_streams_on_an_instance_and_the_sixth_is_refused_until_one_closes()
    {
        using var alice = await instances.One.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        var open = new List<EventReader>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                open.Add(await EventReader.OpenAsync(alice.Client));
            }

            using (var sixth = await alice.Client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, Token))
            {
                await sixth.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "event_streams_exceeded");
            }

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            HttpStatusCode status;
            var attempts = 0;
            do
            {
                // The server frees the slot once it sees the closed connection.
                await Task.Delay(100, Token);
                using var again = await alice.Client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, Token);
                status = again.StatusCode;
            }
            while (status == HttpStatusCode.TooManyRequests && ++attempts < 50);

            status.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            foreach (var reader in open)
            {
                await reader.DisposeAsync();
            }
        }
    }
}
