namespace Cruddur.Messaging.MessageGroups;

/// <summary>Where changes of groups go: this process's listeners, or every app instance's through Redis when it is configured.</summary>
public interface IMessageGroupChangePublisher
{
    /// <summary>Tells the listeners of <paramref name="memberUuids"/> of <paramref name="change"/>; never throws for an unreachable backplane.</summary>
    Task PublishAsync(MessageGroupChange change, IReadOnlyList<Guid> memberUuids, CancellationToken cancellationToken);
}
