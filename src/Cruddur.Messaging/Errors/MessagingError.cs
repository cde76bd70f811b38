namespace Cruddur.Messaging.Errors;

/// <summary>Why a request was refused: a stable <see cref="Code"/> (e.g. <c>message_blank</c>) and what kind of refusal it is.</summary>
public sealed record MessagingError(string Code, MessagingErrorKind Kind, string Detail);

/// <summary>The kinds of refusal, which the web app maps to HTTP statuses.</summary>
public enum MessagingErrorKind
{
    /// <summary>The input is malformed or breaks a rule (HTTP 400/422).</summary>
    Invalid,

    /// <summary>The thing does not exist, or the caller may not know it does (HTTP 404).</summary>
    NotFound,
}

/// <summary>A value or the error that prevented it; domain outcomes are never exceptions.</summary>
public sealed record Outcome<T>
{
    /// <summary>A success.</summary>
    public Outcome(T value) => Value = value;

    /// <summary>A refusal.</summary>
    public Outcome(MessagingError error) => Error = error;

    /// <summary>The value when there is no error.</summary>
    public T? Value { get; }

    /// <summary>The error, or null on success.</summary>
    public MessagingError? Error { get; }

    /// <summary>True when there is a value.</summary>
    public bool Succeeded => Error is null;

    /// <summary>A success.</summary>
    public static implicit operator Outcome<T>(T value) => new(value);

    /// <summary>A refusal.</summary>
    public static implicit operator Outcome<T>(MessagingError error) => new(error);
}
