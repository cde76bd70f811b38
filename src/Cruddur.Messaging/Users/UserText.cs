using System.Text.RegularExpressions;
using Cruddur.Messaging.Errors;
using static Cruddur.Messaging.Errors.MessagingErrorCodes;

namespace Cruddur.Messaging.Users;

/// <summary>
/// The rules for a new user's handle and display name, for every way a user is created. Both are what other people see
/// to tell users apart, so neither may hold what makes two names look alike: a handle is plain ASCII (and unique without
/// regard to case, see <see cref="UserSchema"/>); a display name has no controls, bidi overrides or zero-width characters.
/// </summary>
public static partial class UserText
{
    /// <summary>The most UTF-16 characters of a display name.</summary>
    public const int MaxDisplayNameLength = 100;

    /// <summary>
    /// A handle in its stored form (as <c>HandleText.Parse</c> gives it: no <c>@</c>, no blanks), or
    /// <see cref="MessagingErrorCodes.HandleInvalid"/>.
    /// </summary>
    public static Outcome<string> Handle(string? handle) =>
        handle is not null && HandlePattern().IsMatch(handle)
            ? handle
            : new MessagingError(HandleInvalid, MessagingErrorKind.Invalid, "A handle is 1–30 letters, digits or underscores.");

    /// <summary>The trimmed display name, <paramref name="fallback"/> when blank, or <see cref="MessagingErrorCodes.DisplayNameInvalid"/>.</summary>
    public static Outcome<string> DisplayName(string? text, string fallback)
    {
        var name = string.IsNullOrWhiteSpace(text) ? fallback : text.Trim();
        return name.Length <= MaxDisplayNameLength && !name.Where((c, i) => char.IsControl(c) || IsInvisible(name, i)).Any()
            ? name
            : new MessagingError(DisplayNameInvalid, MessagingErrorKind.Invalid, $"A display name is at most {MaxDisplayNameLength} characters, without control, bidi-override or zero-width characters.");
    }

    /// <summary>
    /// Bidi embeddings, overrides, isolates and marks, and zero-width characters: they reorder or hide text, so
    /// "alice" can be made to look like someone else. A zero-width joiner between two emoji (👩‍💻) is allowed.
    /// </summary>
    private static bool IsInvisible(string text, int index) => text[index] switch
    {
        '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') => true,
        '\u200B' or '\u200C' or '\u2060' or '\uFEFF' => true,
        '\u200D' => !JoinsEmoji(text, index),
        _ => false,
    };

    private static bool JoinsEmoji(string text, int index) =>
        index > 0 && index < text.Length - 1
        && (char.IsLowSurrogate(text[index - 1]) || text[index - 1] == '\uFE0F')
        && char.IsHighSurrogate(text[index + 1]);

    [GeneratedRegex("^[A-Za-z0-9_]{1,30}$")]
    private static partial Regex HandlePattern();
}
