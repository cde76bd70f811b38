using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Stream;

namespace Cruddur.Messaging.Tests.Stream;

/// <summary>The in-process news of changed groups that the web app's event stream hears.</summary>
public sealed class MessageGroupChangesTests
{
    [Fact]
    public void A_change_reaches_every_subscription_of_the_members_and_no_one_else()
    {
        var changes = new MessageGroupChanges();
        Guid alice = Guid.NewGuid(), bob = Guid.NewGuid(), carol = Guid.NewGuid(), group = Guid.NewGuid();
        using var aliceTab1 = changes.Subscribe(alice);
        using var aliceTab2 = changes.Subscribe(alice);
        using var carolTab = changes.Subscribe(carol);

        changes.Publish(group, [alice, bob]);

        aliceTab1.Reader.TryRead(out var first).ShouldBeTrue();
        first.ShouldBe(new MessageGroupChange(group, MessageGroupChange.NewMessage));
        aliceTab2.Reader.TryRead(out var second).ShouldBeTrue();
        second.ShouldBe(new MessageGroupChange(group, "message"));
        carolTab.Reader.TryRead(out _).ShouldBeFalse();
    }

    [Fact]
    public void A_slow_subscriber_keeps_the_newest_changes_and_a_disposed_one_is_forgotten()
    {
        var changes = new MessageGroupChanges();
        var alice = Guid.NewGuid();
        var groups = Enumerable.Range(0, MessageGroupChanges.SubscriberCapacity + 5).Select(_ => Guid.NewGuid()).ToArray();
        var subscription = changes.Subscribe(alice);

        foreach (var group in groups)
        {
            changes.Publish(group, [alice]);
        }

        var heard = new List<Guid>();
        while (subscription.Reader.TryRead(out var group))
        {
            heard.Add(group.MessageGroupUuid);
        }

        heard.ShouldBe(groups[5..]);
        changes.SubscriptionCount.ShouldBe(1);
        subscription.Dispose();
        changes.SubscriptionCount.ShouldBe(0);
        subscription.Reader.Completion.IsCompleted.ShouldBeTrue();
        changes.Publish(Guid.NewGuid(), [alice]); // no one listens: nothing to do
    }
}
