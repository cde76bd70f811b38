namespace Cruddur.Messaging.Users;

/// <summary>A row of the PostgreSQL <c>users</c> table.</summary>
public sealed record User(Guid Uuid, string Handle, string DisplayName, string Email, string? CognitoUserId, DateTimeOffset CreatedAt)
{
    /// <summary>What messages and group rows carry about a user.</summary>
    public UserSummary Summary => new(Uuid, Handle, DisplayName);
}

/// <summary>The part of a user that messages and group rows carry.</summary>
public sealed record UserSummary(Guid Uuid, string Handle, string DisplayName);
