using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Users;
using Cruddur.Web.Authentication;
using Cruddur.Web.Json;
using Cruddur.Web.Problems;
using Cruddur.Web.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cruddur.Web.DevSignIn;

/// <summary>
/// <c>POST /api/dev/sign-in</c>: Development's stand-in for Cognito. Creates the user when the handle is new and
/// answers a local token. Mapped only when the app issues local tokens (Development without Cognito), so it is a
/// 404 everywhere else.
/// </summary>
internal static class DevSignInApi
{
    public static IEndpointRouteBuilder MapDevSignIn(this IEndpointRouteBuilder app)
    {
        var environment = app.ServiceProvider.GetRequiredService<IHostEnvironment>();
        if (!environment.IsDevelopment() || app.ServiceProvider.GetRequiredService<AcceptedTokens>().Kind != TokenKind.Development)
        {
            return app;
        }

        app.MapGroup("/api/dev")
            .WithTags("Development")
            .AllowAnonymous()
            .RequireRateLimiting(PublicRateLimit.PolicyName)
            .MapPost("/sign-in", SignInAsync)
            .WithName("DevSignIn")
            .WithSummary("Signs in (and signs up) a user by handle and answers a local bearer token.")
            .Accepts<DevSignInRequest>("application/json");
        return app;
    }

    private static async Task<Results<Ok<DevSignInResponse>, ProblemHttpResult>> SignInAsync(
        HttpRequest request, UserStore users, DevTokens tokens, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.DevSignInRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var handle = UserText.Handle(HandleText.Parse(body!.Handle));
        if (handle.Error is { } badHandle)
        {
            return ApiProblems.From(badHandle);
        }

        var displayName = UserText.DisplayName(body.DisplayName, handle.Value!);
        if (displayName.Error is { } badName)
        {
            return ApiProblems.From(badName);
        }

        var email = string.IsNullOrWhiteSpace(body.Email) ? $"{handle.Value}@example.invalid" : body.Email.Trim();
        if (email.Length > 254 || email.Any(char.IsControl))
        {
            return ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, ApiErrorCodes.EmailInvalid, "An e-mail address is at most 254 characters, without control characters.");
        }

        var user = await users.CreateIfAbsentAsync(handle.Value!, displayName.Value!, email, cognitoUserId: null, cancellationToken);
        return TypedResults.Ok(new DevSignInResponse(
            tokens.Issue(user),
            "Bearer",
            (int)tokens.Lifetime.TotalSeconds,
            new UserShortJson(user.Uuid, user.Handle, user.DisplayName)));
    }
}
