namespace Cruddur.Messaging.Errors;

/// <summary>The stable codes of <see cref="MessagingError"/>s, which the web app puts into its problem responses.</summary>
public static class MessagingErrorCodes
{
    /// <summary>The message is empty or only whitespace.</summary>
    public const string MessageBlank = "message_blank";

    /// <summary>The message has more than 1024 characters (text elements) after trimming.</summary>
    public const string MessageTooLong = "message_exceed_max_chars_1024";

    /// <summary>No user has this handle (kind <see cref="MessagingErrorKind.NotFound"/>).</summary>
    public const string HandleUnknown = "handle_unknown";

    /// <summary>The sender tried to message themselves.</summary>
    public const string MessageSelf = "message_self";

    /// <summary>The message group uuid is malformed or empty.</summary>
    public const string MessageGroupUuidInvalid = "message_group_uuid_invalid";

    /// <summary>No such group, or the caller is not a member of it (kind <see cref="MessagingErrorKind.NotFound"/>).</summary>
    public const string MessageGroupNotFound = "message_group_not_found";

    /// <summary>The cursor is garbage, tampered with, or belongs to another list.</summary>
    public const string CursorInvalid = "cursor_invalid";

    /// <summary>The page size is outside 1–100.</summary>
    public const string LimitOutOfRange = "limit_out_of_range";

    /// <summary>The read position (<c>created_at</c> of a mark-read) is not a timestamp.</summary>
    public const string ReadPositionInvalid = "read_position_invalid";

    /// <summary>The message holds NUL or another C0 control character (tab and newline are allowed).</summary>
    public const string MessageControlCharacter = "message_control_character";

    /// <summary>A new handle is not 1–30 ASCII letters, digits or underscores.</summary>
    public const string HandleInvalid = "handle_invalid";

    /// <summary>A display name is over 100 characters or holds control, bidi-override or zero-width characters.</summary>
    public const string DisplayNameInvalid = "display_name_invalid";
}
