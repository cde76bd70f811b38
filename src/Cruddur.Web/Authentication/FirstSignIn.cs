using Cruddur.Messaging.Cognito;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Users;
using Cruddur.Web.Problems;
using Microsoft.Extensions.Options;

namespace Cruddur.Web.Authentication;

/// <summary>
/// Just-in-time sign-up, as the original's post-confirmation Lambda did: the first valid Cognito token whose
/// <c>sub</c> no row knows creates the user, with the handle from <c>preferred_username</c> and the display name from
/// <c>name</c>, read with GetUser and the user's own access token (cognito-local's ID token has neither).
/// It never binds a <c>sub</c> to an existing row: <c>preferred_username</c> is editable by its user, so a taken handle
/// is refused (409 <c>handle_taken</c>) and nothing is written. Binding seeded rows stays the operator's
/// <c>cruddur db update-cognito-user-ids</c>.
/// </summary>
internal sealed partial class FirstSignIn(UserStore users, CognitoIdentityClient cognito, ILogger<FirstSignIn> logger)
{
    public async Task<User> CreateUserAsync(string sub, string accessToken, CancellationToken cancellationToken)
    {
        CognitoUser poolUser;
        try
        {
            poolUser = await cognito.GetUserAsync(accessToken, cancellationToken);
        }
        catch (CognitoException exception)
        {
            // Real Cognito answers GetUser only for tokens with the aws.cognito.signin.user.admin scope.
            LogGetUserRefused(logger, exception.ErrorType);
            throw new TokenRejectedException(ApiErrorCodes.UserUnknown, $"The token names no Cruddur user, and Cognito would not say who it is ({exception.ErrorType}); sign in again with the aws.cognito.signin.user.admin scope.");
        }
        catch (HttpRequestException exception)
        {
            throw new TokenRejectedException(ApiErrorCodes.ServiceUnavailable, "Cognito cannot be reached to finish your first sign-in; try again shortly.", StatusCodes.Status503ServiceUnavailable, exception);
        }

        if (poolUser.Sub != sub)
        {
            throw new TokenRejectedException(ApiErrorCodes.UserUnknown, "Cognito's user is not the token's subject.");
        }

        // The same rules as every other way a user is made (UserText): plain ASCII handle, no look-alike display name.
        if (UserText.Handle(HandleText.Parse(poolUser.PreferredUsername)).Value is not { } handle)
        {
            throw new TokenRejectedException(ApiErrorCodes.ProfileIncomplete, "Your pool profile needs a preferred_username of 1–30 letters, digits or underscores: it becomes your handle.", StatusCodes.Status403Forbidden);
        }

        var displayName = UserText.DisplayName(poolUser.Name, handle).Value ?? handle;
        var email = poolUser.Email is { Length: > 0 and <= 254 } address && !address.Any(char.IsControl) ? address : $"{handle}@example.invalid";
        var user = await CreateOrFindAsync(handle, displayName, email, sub, cancellationToken);
        if (user.CognitoUserId != sub)
        {
            LogHandleTaken(logger, handle);
            throw new TokenRejectedException(ApiErrorCodes.HandleTaken, $"The handle @{handle} (your preferred_username) belongs to another Cruddur user; choose another, or ask an operator to link your account.", StatusCodes.Status409Conflict);
        }

        LogCreated(logger, handle);
        return user;
    }

    private async Task<User> CreateOrFindAsync(string handle, string displayName, string email, string sub, CancellationToken cancellationToken)
    {
        try
        {
            return await users.CreateIfAbsentAsync(handle, displayName, email, sub, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // A concurrent first request of the same user inserted the row after this statement's snapshot.
            return await users.FindByCognitoUserIdAsync(sub, cancellationToken) ?? await users.FindByHandleAsync(handle, cancellationToken)
                ?? throw new InvalidOperationException($"User @{handle} was neither created nor found.");
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "First sign-in: created @{Handle} from the Cognito pool.")]
    private static partial void LogCreated(ILogger logger, string handle);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "First sign-in refused: @{Handle} belongs to another user.")]
    private static partial void LogHandleTaken(ILogger logger, string handle);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "First sign-in: Cognito refused GetUser ({ErrorType}).")]
    private static partial void LogGetUserRefused(ILogger logger, string errorType);
}

internal static class FirstSignInServiceCollectionExtensions
{
    /// <summary>The Cognito client for GetUser (no AWS credentials: the user's access token authorizes it) and the sign-up.</summary>
    public static IServiceCollection AddFirstSignIn(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<CognitoSettings>>().Value;
            var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) };
            return new CognitoIdentityClient(http, settings.ServiceEndpoint);
        });
        services.AddSingleton<FirstSignIn>();
        return services;
    }
}
