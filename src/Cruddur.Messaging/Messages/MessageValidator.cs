using System.Globalization;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Paging;
using static Cruddur.Messaging.Errors.MessagingErrorCodes;

namespace Cruddur.Messaging.Messages;

/// <summary>The input rules of the access patterns, each refusal with its stable code.</summary>
internal static class MessageValidator
{
    /// <summary>The most text elements (user-perceived characters) a message may have after trimming.</summary>
    public const int MaxTextElements = 1024;

    /// <summary>The trimmed text, or why it is refused. Counts grapheme clusters, so an emoji is one character.</summary>
    public static Outcome<string> Text(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return Invalid(MessageBlank, "The message is empty.");
        }

        // NUL and the other C0 controls hide text from people and break tools downstream; tab and newline are text.
        if (trimmed.Any(c => c < ' ' && c is not '\t' and not '\n'))
        {
            return Invalid(MessageControlCharacter, "A message cannot hold control characters other than tab and newline.");
        }

        // Cheap bound first: every text element is at least one UTF-16 char.
        return trimmed.Length > MaxTextElements && new StringInfo(trimmed).LengthInTextElements > MaxTextElements
            ? Invalid(MessageTooLong, $"A message has at most {MaxTextElements} characters.")
            : trimmed;
    }

    /// <summary>Null when the page size is within 1–100.</summary>
    public static MessagingError? Limit(int limit) =>
        limit is >= 1 and <= PageRequest.MaxLimit
            ? null
            : Invalid(LimitOutOfRange, $"limit must be between 1 and {PageRequest.MaxLimit}.");

    /// <summary>Null when the uuid can name a group (the empty uuid cannot).</summary>
    public static MessagingError? GroupUuid(Guid messageGroupUuid) =>
        messageGroupUuid == Guid.Empty ? Invalid(MessageGroupUuidInvalid, "The message group uuid is not valid.") : null;

    /// <summary>A handle as users type it (<c>@andrewbrown</c>, surrounding blanks) reduced to the stored form, or null when blank.</summary>
    public static string? Handle(string? handle)
    {
        var trimmed = handle?.Trim() ?? "";
        trimmed = trimmed.StartsWith('@') ? trimmed[1..] : trimmed;
        return trimmed.Length == 0 ? null : trimmed;
    }

    public static MessagingError Invalid(string code, string detail) => new(code, MessagingErrorKind.Invalid, detail);

    public static MessagingError GroupNotFound() =>
        new(MessageGroupNotFound, MessagingErrorKind.NotFound, "There is no such message group.");

    public static MessagingError UnknownHandle() =>
        new(HandleUnknown, MessagingErrorKind.NotFound, "There is no user with this handle.");
}
