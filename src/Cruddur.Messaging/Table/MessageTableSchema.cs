using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Cruddur.Messaging.Table;

/// <summary>Creates and drops the messages table exactly as the original Cruddur defines it.</summary>
public static class MessageTableSchema
{
    /// <summary>The original table name; configurable through <see cref="MessagingOptions.TableName"/>.</summary>
    public const string DefaultTableName = "cruddur-messages";

    /// <summary>
    /// Creates the table (keys pk/sk, PAY_PER_REQUEST, stream NEW_AND_OLD_IMAGES, GSI message-group-sk-index),
    /// waits until it is active and turns on TTL on <c>expires_at</c> (idempotency items expire). Returns false when it already existed, leaving it as it is.
    /// </summary>
    public static async Task<bool> CreateIfMissingAsync(IAmazonDynamoDB dynamoDb, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dynamoDb);
        if (await ExistsAsync(dynamoDb, tableName, cancellationToken))
        {
            return false;
        }

        try
        {
            await dynamoDb.CreateTableAsync(CreateTableRequest(tableName), cancellationToken);
        }
        catch (ResourceInUseException)
        {
            // It did not exist a moment ago: the SDK retried our own attempt that timed out (attempts are bounded to a
            // few seconds, and a busy DynamoDB Local can take longer to create a table), or someone created it just now.
        }

        await WaitUntilActiveAsync(dynamoDb, tableName, cancellationToken);
        await EnableTimeToLiveAsync(dynamoDb, tableName, cancellationToken);
        return true;
    }

    /// <summary>Deletes the table. Returns false when there was none.</summary>
    public static async Task<bool> DropIfExistsAsync(IAmazonDynamoDB dynamoDb, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dynamoDb);
        if (!await ExistsAsync(dynamoDb, tableName, cancellationToken))
        {
            return false;
        }

        try
        {
            await dynamoDb.DeleteTableAsync(tableName, cancellationToken);
        }
        catch (ResourceNotFoundException)
        {
            // It existed a moment ago: a retry of our own attempt that timed out found it gone.
        }

        return true;
    }

    /// <summary>True when the table exists.</summary>
    public static async Task<bool> ExistsAsync(IAmazonDynamoDB dynamoDb, string tableName, CancellationToken cancellationToken)
    {
        try
        {
            await dynamoDb.DescribeTableAsync(tableName, cancellationToken);
            return true;
        }
        catch (ResourceNotFoundException)
        {
            return false;
        }
    }

    internal static CreateTableRequest CreateTableRequest(string tableName) => new()
    {
        TableName = tableName,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions =
        [
            new AttributeDefinition(MessageTableKeys.Pk, ScalarAttributeType.S),
            new AttributeDefinition(MessageTableKeys.Sk, ScalarAttributeType.S),
            new AttributeDefinition(MessageTableKeys.MessageGroupUuid, ScalarAttributeType.S),
        ],
        KeySchema =
        [
            new KeySchemaElement(MessageTableKeys.Pk, KeyType.HASH),
            new KeySchemaElement(MessageTableKeys.Sk, KeyType.RANGE),
        ],
        GlobalSecondaryIndexes =
        [
            new GlobalSecondaryIndex
            {
                IndexName = MessageTableKeys.GroupIndexName,
                KeySchema =
                [
                    new KeySchemaElement(MessageTableKeys.MessageGroupUuid, KeyType.HASH),
                    new KeySchemaElement(MessageTableKeys.Sk, KeyType.RANGE),
                ],
                Projection = new Projection { ProjectionType = ProjectionType.ALL },
            },
        ],
        StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
    };

    /// <summary>Turns on TTL on <c>expires_at</c>, unless a retried attempt of this call already did.</summary>
    private static async Task EnableTimeToLiveAsync(IAmazonDynamoDB dynamoDb, string tableName, CancellationToken cancellationToken)
    {
        try
        {
            await dynamoDb.UpdateTimeToLiveAsync(
                new UpdateTimeToLiveRequest
                {
                    TableName = tableName,
                    TimeToLiveSpecification = new TimeToLiveSpecification { Enabled = true, AttributeName = MessageTableKeys.ExpiresAt },
                },
                cancellationToken);
        }
        catch (AmazonDynamoDBException exception) when (exception.ErrorCode == "ValidationException")
        {
            // "TimeToLive is already enabled" is the answer to a retry of an attempt of ours that had succeeded.
            var status = (await dynamoDb.DescribeTimeToLiveAsync(tableName, cancellationToken)).TimeToLiveDescription?.TimeToLiveStatus;
            if (status != TimeToLiveStatus.ENABLED && status != TimeToLiveStatus.ENABLING)
            {
                throw;
            }
        }
    }

    private static async Task WaitUntilActiveAsync(IAmazonDynamoDB dynamoDb, string tableName, CancellationToken cancellationToken)
    {
        while (true)
        {
            var table = (await dynamoDb.DescribeTableAsync(tableName, cancellationToken)).Table;
            if (table.TableStatus == TableStatus.ACTIVE && (table.GlobalSecondaryIndexes ?? []).All(index => index.IndexStatus == IndexStatus.ACTIVE))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
