using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Constructs;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;

namespace Cruddur.Deploy;

/// <summary>The single messages table: the keys, GSI and stream the core's patterns A–E need.</summary>
internal static class MessagesTable
{
    public const string GroupIndexName = "message-group-sk-index";

    public static Table Add(Construct scope, StackParameters parameters)
    {
        var table = new Table(scope, "MessagesTable", new TableProps
        {
            TableName = parameters.TableName.ValueAsString,
            PartitionKey = new Attribute { Name = "pk", Type = AttributeType.STRING },
            SortKey = new Attribute { Name = "sk", Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            Stream = StreamViewType.NEW_AND_OLD_IMAGES,
            PointInTimeRecovery = true,
            // Idempotency records hold message text: they must expire (MessageTableSchema does the same for local tables).
            TimeToLiveAttribute = "expires_at",
            Encryption = TableEncryption.AWS_MANAGED,
            DeletionProtection = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        table.AddGlobalSecondaryIndex(new GlobalSecondaryIndexProps
        {
            IndexName = GroupIndexName,
            PartitionKey = new Attribute { Name = "message_group_uuid", Type = AttributeType.STRING },
            SortKey = new Attribute { Name = "sk", Type = AttributeType.STRING },
            ProjectionType = ProjectionType.ALL,
        });
        return table;
    }
}
