using System.Globalization;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Stream;
using Cruddur.Web.Authentication;
using Microsoft.AspNetCore.Http.Features;

namespace Cruddur.Web.Events;

/// <summary>
/// <c>GET /api/events</c>: server-sent events telling the signed-in user which of their groups just got a message
/// (<c>data: {"message_group_uuid": "…"}</c>), heard from this instance's stream handler through
/// <see cref="MessageGroupChanges"/>. A comment every 15 s keeps proxies from closing an idle stream.
/// </summary>
internal static class EventsApi
{
    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", StreamAsync)
            .WithTags("Web UI")
            .RequireAuthorization()
            .WithName("GetEvents")
            .WithSummary("text/event-stream of the signed-in user's groups that got a new message.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return app;
    }

    private static async Task StreamAsync(HttpContext context, MessageGroupChanges changes, IHostApplicationLifetime lifetime)
    {
        using var subscription = changes.Subscribe(context.GetCurrentUser().User.Uuid);

        // Ends with the request, and also when the app stops, so that an open stream never holds up a shutdown.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var token = ended.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await response.WriteAsync(": connected\n\n", token);
            await response.Body.FlushAsync(token);
            while (!token.IsCancellationRequested)
            {
                await response.WriteAsync(await NextAsync(subscription, token), token);
                await response.Body.FlushAsync(token);
            }
        }
        catch (Exception exception) when (token.IsCancellationRequested && exception is OperationCanceledException or IOException)
        {
            // The client went away or the app is stopping: nothing to answer.
        }
    }

    /// <summary>The next changes (coalesced per group) as event blocks, or a heartbeat comment after 15 quiet seconds.</summary>
    private static async Task<string> NextAsync(MessageGroupSubscription subscription, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(HeartbeatInterval);
        try
        {
            await subscription.Reader.WaitToReadAsync(quiet.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ": heartbeat\n\n";
        }

        var groups = new List<Guid>();
        while (subscription.Reader.TryRead(out var group))
        {
            if (!groups.Contains(group))
            {
                groups.Add(group);
            }
        }

        return string.Concat(groups.Select(group => string.Create(CultureInfo.InvariantCulture, $"data: {{\"message_group_uuid\":\"{group:D}\"}}\n\n")));
    }
}
