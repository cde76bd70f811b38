namespace Cruddur.Messaging.Messages;

/// <summary>Reads a handle as users type it (a route value, a JSON field, a CLI argument), the same way everywhere.</summary>
public static class HandleText
{
    /// <summary>The stored form (surrounding blanks and one leading <c>@</c> removed), or null when nothing is left.</summary>
    public static string? Parse(string? text) => MessageValidator.Handle(text);
}
