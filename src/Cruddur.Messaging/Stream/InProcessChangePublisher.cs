using Cruddur.Messaging.MessageGroups;

namespace Cruddur.Messaging.Stream;

/// <summary>Without Redis: the changes reach only this process's listeners (one instance, <c>dotnet run</c>).</summary>
internal sealed class InProcessChangePublisher(MessageGroupChanges changes) : IMessageGroupChangePublisher
{
    public Task PublishAsync(MessageGroupChange change, CancellationToken cancellationToken)
    {
        changes.Publish(change.MessageGroupUuid, change.MemberUuids);
        return Task.CompletedTask;
    }
}
