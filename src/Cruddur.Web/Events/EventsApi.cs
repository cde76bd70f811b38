using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Web.Authentication;
using Cruddur.Web.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.Events;

/// <summary>
/// <c>GET /api/events</c>: server-sent events telling the signed-in user which of their groups just got a message or
/// was marked read by a member (<c>data: {"message_group_uuid":"…","kind":"message"|"read"}</c>), heard from this instance's stream handler through
/// <see cref="MessageGroupChanges"/>. The framework writes the stream; a <c>connected</c> event opens it and a
/// <c>heartbeat</c> event every 15 quiet seconds keeps proxies from closing it (both without data, which the UI skips).
/// With Redis, the changes of every instance's stream handler reach it (<c>RedisChangeRelay</c>). A user holds at most
/// <c>Events:MaxStreamsPerUser</c> streams on an instance (one more is 429 <c>event_streams_exceeded</c>), and a stream
/// ends with an <c>expired</c> event when its token expires: the client reconnects with a fresh token.
/// After this instance was cut off from Redis, a <c>resync</c> event (<c>data: {"resync":true}</c>) tells the client
/// to re-read, since other instances' changes of that time were not heard.
/// </summary>
internal static class EventsApi
{
    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public static IServiceCollection AddEventStreams(this IServiceCollection services)
    {
        services.AddOptions<EventsSettings>()
            .BindConfiguration(EventsSettings.SectionName)
            .Validate(settings => settings.MaxStreamsPerUser >= 1, $"{EventsSettings.SectionName}:MaxStreamsPerUser must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<EventStreams>();
        return services;
    }

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", Stream)
            .WithTags("Web UI")
            .RequireAuthorization()
            .WithName("GetEvents")
            .WithSummary("text/event-stream of the signed-in user's groups that got a new message (kind message) or were marked read (kind read).");
        return app;
    }

    private static Results<ServerSentEventsResult<string>, ProblemHttpResult> Stream(
        HttpContext context, MessageGroupChanges changes, EventStreams streams, IOptions<EventsSettings> settings, TimeProvider timeProvider, IHostApplicationLifetime lifetime)
    {
        var user = context.GetCurrentUser().User.Uuid;
        if (streams.TryOpen(user, settings.Value.MaxStreamsPerUser) is not { } slot)
        {
            return ApiProblems.Create(
                StatusCodes.Status429TooManyRequests,
                ApiErrorCodes.EventStreamsExceeded,
                $"At most {settings.Value.MaxStreamsPerUser} event streams may be open per user; close one first.");
        }

        // Released when the request ends, whether or not the stream was ever written.
        context.Response.RegisterForDispose(slot);
        var lifeLeft = long.TryParse(context.User.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp) - timeProvider.GetUtcNow()
            : Timeout.InfiniteTimeSpan;
        return TypedResults.ServerSentEvents(ChangesAsync(changes, user, lifeLeft, timeProvider, lifetime.ApplicationStopping, CancellationToken.None));
    }

    /// <summary>
    /// The user's changed groups (coalesced per group) until the request ends, the app stops (so that an open stream
    /// never holds up a shutdown) or the token expires (then an <c>expired</c> event ends it).
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> ChangesAsync(
        MessageGroupChanges changes, Guid userUuid, TimeSpan lifeLeft, TimeProvider timeProvider, CancellationToken stopping, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        using var subscription = changes.Subscribe(userUuid);
        using var expired = lifeLeft == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(lifeLeft < TimeSpan.Zero ? TimeSpan.Zero : lifeLeft, timeProvider);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping, expired.Token);
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
                if (group == MessageGroupChanges.Resync)
                {
                    yield return new SseItem<string>("{\"resync\":true}", "resync");
                    continue;
                }

                yield return new SseItem<string>(string.Create(CultureInfo.InvariantCulture, $"{{\"message_group_uuid\":\"{group.MessageGroupUuid:D}\",\"kind\":\"{group.Kind}\"}}"));
            }
        }

        if (expired.IsCancellationRequested && !requestAborted.IsCancellationRequested)
        {
            yield return new SseItem<string>("", "expired");
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
