namespace Cruddur.Web.Events;

/// <summary>The event stream limits (section <c>Events</c>).</summary>
internal sealed class EventsSettings
{
    public const string SectionName = "Events";

    /// <summary>Open <c>/api/events</c> streams one user may hold on this instance; one more is answered 429.</summary>
    public int MaxStreamsPerUser { get; set; } = 5;
}

/// <summary>Counts the open event streams per user on this instance.</summary>
internal sealed class EventStreams
{
    private readonly Dictionary<Guid, int> open = [];

    /// <summary>Takes one of <paramref name="user"/>'s stream slots, or returns null when all <paramref name="max"/> are taken.</summary>
    public IDisposable? TryOpen(Guid user, int max)
    {
        lock (open)
        {
            var count = open.GetValueOrDefault(user);
            if (count >= max)
            {
                return null;
            }

            open[user] = count + 1;
        }

        return new Slot(this, user);
    }

    private void Close(Guid user)
    {
        lock (open)
        {
            if (open.TryGetValue(user, out var count) && count > 1)
            {
                open[user] = count - 1;
            }
            else
            {
                open.Remove(user);
            }
        }
    }

    private sealed class Slot(EventStreams owner, Guid user) : IDisposable
    {
        private int closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref closed, 1) == 0)
            {
                owner.Close(user);
            }
        }
    }
}
