namespace Cruddur.Messaging.MessageGroups;

/// <summary>Without Redis: the changes reach only this process's listeners (one instance, <c>dotnet run</c>).</summary>
internal sealed class InProcessChangePublisher(MessageGroupChanges changes) : IMessageGroupChangePublisher
{
    public Task PublishAsync(MessageGroupChange change, IReadOnlyList<Guid> memberUuids, CancellationToken cancellationToken)
    {
        changes.Publish(change, memberUuids);
        return Task.CompletedTask;
    }
}
