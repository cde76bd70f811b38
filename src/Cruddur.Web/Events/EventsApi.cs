using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Web.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cruddur.Web.Events;

/// <summary>
/// <c>GET /api/events</c>: server-sent events telling the signed-in user which of their groups just got a message or
/// was marked read by a member (<c>data: {"message_group_uuid":"…","kind":"message"|"read"}</c>), heard from this instance's stream handler through
/// <see cref="MessageGroupChanges"/>. The framework writes the stream; a <c>connected</c> event opens it and a
/// <c>heartbeat</c> event every 15 quiet seconds keeps proxies from closing it (both without data, which the UI skips).
/// </summary>
internal static class EventsApi
{
    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", Stream)
            .WithTags("Web UI")
            .RequireAuthorization()
            .WithName("GetEvents")
            .WithSummary("text/event-stream of the signed-in user's groups that got a new message (kind message) or were marked read (kind read).");
        return app;
    }

    private static ServerSentEventsResult<string> Stream(HttpContext context, MessageGroupChanges changes, IHostApplicationLifetime lifetime) =>
        TypedResults.ServerSentEvents(ChangesAsync(changes, context.GetCurrentUser().User.Uuid, lifetime.ApplicationStopping, CancellationToken.None));

    /// <summary>
    /// The user's changed groups (coalesced per group) until the request ends or the app stops, so that an open stream
    /// never holds up a shutdown.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> ChangesAsync(
        MessageGroupChanges changes, Guid userUuid, CancellationToken stopping, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        using var subscription = changes.Subscribe(userUuid);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        yield return new SseItem<string>("", "connected");
        while (await WaitAsync(subscription, ended.Token) is { } heard)
        {
            if (!heard)
            {
                yield return new SseItem<string>("", "heartbeat");
                continue;
            }

            var groups = new List<MessageGroupChange>();
            while (subscription.Reader.TryRead(out var group))
            {
                if (!groups.Contains(group))
                {
                    groups.Add(group);
                }
            }

            foreach (var group in groups)
            {
                yield return new SseItem<string>(string.Create(CultureInfo.InvariantCulture, $"{{\"message_group_uuid\":\"{group.MessageGroupUuid:D}\",\"kind\":\"{group.Kind}\"}}"));
            }
        }
    }

    /// <summary>True when changes are waiting, false after 15 quiet seconds, null once the stream has ended.</summary>
    private static async Task<bool?> WaitAsync(MessageGroupSubscription subscription, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(HeartbeatInterval);
        try
        {
            return await subscription.Reader.WaitToReadAsync(quiet.Token) ? true : null;
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested ? null : false;
        }
    }
}
