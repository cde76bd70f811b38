namespace Cruddur.Messaging.Table;

/// <summary>Settings of the messaging core, bound from the <c>Messaging</c> section.</summary>
public sealed class MessagingOptions
{
    /// <summary>Configuration section these options bind from.</summary>
    public const string SectionName = "Messaging";

    /// <summary>The DynamoDB table of message groups and messages.</summary>
    public string TableName { get; set; } = MessageTableSchema.DefaultTableName;
}
