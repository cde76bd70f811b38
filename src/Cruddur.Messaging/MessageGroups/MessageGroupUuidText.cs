using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Messages;

namespace Cruddur.Messaging.MessageGroups;

/// <summary>Reads a message group uuid that arrives as text (a route value, a JSON field, a CLI argument).</summary>
public static class MessageGroupUuidText
{
    /// <summary>The uuid, or <c>message_group_uuid_invalid</c> when the text is not one (or is the empty uuid).</summary>
    public static Outcome<Guid> Parse(string? text) =>
        Guid.TryParse(text?.Trim(), out var uuid) && MessageValidator.GroupUuid(uuid) is null
            ? uuid
            : MessageValidator.Invalid(MessagingErrorCodes.MessageGroupUuidInvalid, "The message group uuid is not valid.");
}
