using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Users;
using Cruddur.Web.Json;
using Cruddur.Web.Problems;
using Cruddur.Web.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cruddur.Web.Users;

/// <summary><c>GET /api/users/@{handle}/short</c>: who a handle is, for starting a conversation. Public, as handles are.</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users").AllowAnonymous().RequireRateLimiting(PublicRateLimit.PolicyName);
        users.MapGet("/@{handle}/short", async Task<Results<Ok<UserShortJson>, ProblemHttpResult>> (string handle, UserStore store, CancellationToken cancellationToken) =>
                HandleText.Parse(handle) is { } stored && await store.FindByHandleAsync(stored, cancellationToken) is { } user
                    ? TypedResults.Ok(new UserShortJson(user.Uuid, user.Handle, user.DisplayName))
                    : ApiProblems.Create(StatusCodes.Status404NotFound, ApiErrorCodes.UserNotFound, "No user has this handle."))
            .WithName("GetUserShort")
            .WithSummary("A user's uuid, handle and display name.");
        return app;
    }
}
