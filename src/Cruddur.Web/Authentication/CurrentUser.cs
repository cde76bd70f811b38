using Cruddur.Messaging.Users;
using Microsoft.Extensions.Caching.Memory;

namespace Cruddur.Web.Authentication;

/// <summary>The signed-in user of a request, set once its token is validated.</summary>
internal sealed record CurrentUser(User User)
{
    public UserSummary Summary { get; } = User.Summary;
}

internal static class CurrentUserExtensions
{
    /// <summary>The signed-in user; only call it on endpoints that require authentication.</summary>
    public static CurrentUser GetCurrentUser(this HttpContext context) =>
        context.Features.Get<CurrentUser>() ?? throw new InvalidOperationException("The endpoint does not require authentication.");
}

/// <summary>
/// Maps a token's <c>sub</c> to the user, cached briefly so that a warm request makes no PostgreSQL call.
/// Cognito tokens: <c>sub</c> is <c>users.cognito_user_id</c>; development tokens: <c>sub</c> is the user's uuid.
/// </summary>
internal sealed class CurrentUserResolver(UserStore users, IMemoryCache cache, AcceptedTokens accepted)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async ValueTask<CurrentUser?> FindAsync(string subject, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(subject, out CurrentUser? cached))
        {
            return cached;
        }

        var user = accepted.Kind == TokenKind.Development
            ? Guid.TryParse(subject, out var uuid) ? await users.FindByUuidAsync(uuid, cancellationToken) : null
            : await users.FindByCognitoUserIdAsync(subject, cancellationToken);
        if (user is null)
        {
            return null;
        }

        var current = new CurrentUser(user);
        cache.Set(subject, current, CacheFor);
        return current;
    }
}

/// <summary>Which tokens this instance accepts.</summary>
internal sealed record AcceptedTokens(TokenKind Kind);

/// <summary>The kinds of bearer token.</summary>
internal enum TokenKind
{
    Cognito,
    Development,
}
