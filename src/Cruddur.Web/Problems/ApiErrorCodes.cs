namespace Cruddur.Web.Problems;

/// <summary>
/// The codes only the web edge answers (HTTP, tokens, bodies, headers, limits); domain refusals carry the core's
/// <see cref="Cruddur.Messaging.MessagingErrorCodes"/>. Clients branch on these strings: never change one.
/// </summary>
internal static class ApiErrorCodes
{
    // Routing and the exception handler.
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string RequestInvalid = "request_invalid";
    public const string ServiceUnavailable = "service_unavailable";
    public const string InternalError = "internal_error";

    // Request bodies.
    public const string ContentTypeUnsupported = "content_type_unsupported";
    public const string BodyTooLarge = "body_too_large";
    public const string BodyMalformed = "body_malformed";
    public const string BodyUnknownField = "body_unknown_field";

    // Sending.
    public const string RecipientAmbiguous = "recipient_ambiguous";
    public const string RecipientMissing = "recipient_missing";
    public const string IdempotencyKeyInvalid = "idempotency_key_invalid";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string IdempotencyRequestInFlight = "idempotency_request_in_flight";
    public const string RateLimited = "rate_limited";

    // Live updates.
    public const string EventStreamsExceeded = "event_streams_exceeded";

    // Users and the development sign-in.
    public const string UserNotFound = "user_not_found";
    public const string EmailInvalid = "email_invalid";

    // Bearer tokens.
    public const string AuthenticationRequired = "authentication_required";
    public const string TokenInvalid = "token_invalid";
    public const string TokenExpired = "token_expired";
    public const string TokenNotAccess = "token_not_access";
    public const string UserUnknown = "user_unknown";

    // First sign-in of a Cognito user (just-in-time sign-up).
    public const string HandleTaken = "handle_taken";
    public const string ProfileIncomplete = "profile_incomplete";
}
