using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Lambda.EventSources;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace Cruddur.Deploy;

/// <summary>
/// Pattern E in AWS: the function on the table's stream, its event source mapping (partial batch failures, bisect,
/// retries, a failure queue, only new MSG# items), its role and the alarms that say when it falls behind or fails.
/// </summary>
internal static class StreamFunction
{
    public const string Handler = "Cruddur.StreamFunction::Cruddur.StreamFunction.MessageStreamFunction::HandleAsync";

    /// <summary>INSERT records whose partition key starts with MSG#: the messages, not group rows or idempotency records.</summary>
    public const string NewMessagesOnly = """{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"MSG#"}]}}}}""";

    private static readonly string[] GroupRowKeys = ["GRP#*"];

    public static Function Add(Construct scope, StackParameters parameters, Table table, Vpc vpc, Cache cache, ITopic alarms)
    {
        var failureQueue = new Queue(scope, "StreamFailureQueue", new QueueProps
        {
            RetentionPeriod = Duration.Days(14),
            Encryption = QueueEncryption.SQS_MANAGED,
        });
        var logGroup = new LogGroup(scope, "StreamFunctionLogGroup", new LogGroupProps
        {
            LogGroupName = Fn.Sub("/aws/lambda/${AWS::StackName}-message-stream"),
            Retention = RetentionDays.ONE_MONTH,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        var securityGroup = new SecurityGroup(scope, "StreamFunctionSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "Cruddur stream function",
        });
        var function = new Function(scope, "StreamFunction", new FunctionProps
        {
            FunctionName = Fn.Sub("${AWS::StackName}-message-stream"),
            Description = "Pattern E: moves both participants' message-group rows to each new message.",
            // Runtime.DOTNET_8 is the newest member this CDK version knows; Lambda's managed runtime is named dotnet10.
            Runtime = new Runtime("dotnet10", RuntimeFamily.DOTNET_CORE),
            Architecture = Architecture.ARM_64,
            Handler = Handler,
            Code = Code.FromBucket(Bucket.FromBucketName(scope, "CodeBucketRef", parameters.CodeBucket.ValueAsString), parameters.CodeKey.ValueAsString),
            MemorySize = 512,
            Timeout = Duration.Seconds(30),
            LogGroup = logGroup,
            Vpc = vpc,
            VpcSubnets = Network.PrivateSubnets,
            SecurityGroups = [securityGroup],
            Environment = new Dictionary<string, string>
            {
                ["Messaging__TableName"] = table.TableName,
                ["DynamoDb__Region"] = Aws.REGION,
                ["ConnectionStrings__Redis"] = cache.ConnectionString,
                ["StreamFunction__TimeBudgetSeconds"] = "25",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = parameters.OtlpEndpoint.ValueAsString,
            },
        });
        cache.AllowFrom(securityGroup, "stream function");
        GrantPatternE(function, table);

        _ = new EventSourceMapping(scope, "StreamEventSourceMapping", new EventSourceMappingProps
        {
            Target = function,
            EventSourceArn = table.TableStreamArn,
            StartingPosition = StartingPosition.TRIM_HORIZON,
            BatchSize = parameters.BatchSize.ValueAsNumber,
            MaxBatchingWindow = Duration.Seconds(0),
            ParallelizationFactor = 1,
            ReportBatchItemFailures = true,
            BisectBatchOnError = true,
            RetryAttempts = parameters.MaximumRetryAttempts.ValueAsNumber,
            MaxRecordAge = Duration.Days(1),
            OnFailure = new SqsDlq(failureQueue),
            // Only new messages move group rows; the pattern is the event filter syntax, written as Lambda stores it.
            Filters = [new Dictionary<string, object> { ["pattern"] = NewMessagesOnly }],
        });

        new Alarm(scope, "StreamFailureQueueAlarm", new AlarmProps
        {
            AlarmDescription = "Stream batches that failed every retry wait in the failure queue: their groups' rows did not move.",
            Metric = failureQueue.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(5), Statistic = "Maximum" }),
            Threshold = 0,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 1,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        }).AddAlarmAction(new SnsAction(alarms));
        new Alarm(scope, "StreamIteratorAgeAlarm", new AlarmProps
        {
            AlarmDescription = "The stream function is more than a minute behind the table: conversations show stale last messages.",
            Metric = function.Metric("IteratorAge", new MetricOptions { Period = Duration.Minutes(1), Statistic = "Maximum" }),
            Threshold = 60_000,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 5,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        }).AddAlarmAction(new SnsAction(alarms));
        return function;
    }

    /// <summary>
    /// Written out rather than <c>table.GrantStreamRead</c>, which grants <c>dynamodb:ListStreams</c> on <c>*</c>:
    /// the function queries the table and its GSI, moves GRP# rows only, and reads this table's stream.
    /// </summary>
    private static void GrantPatternE(Function function, Table table)
    {
        var indexArn = Fn.Join(string.Empty, [table.TableArn, "/index/", MessagesTable.GroupIndexName]);
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "FindGroupRows",
            Actions = ["dynamodb:Query"],
            Resources = [table.TableArn, indexArn],
        }));
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "MoveGroupRowsOnly",
            Actions = ["dynamodb:PutItem", "dynamodb:DeleteItem"],
            Resources = [table.TableArn],
            Conditions = new Dictionary<string, object>
            {
                ["ForAllValues:StringLike"] = new Dictionary<string, object> { ["dynamodb:LeadingKeys"] = GroupRowKeys },
            },
        }));
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadTheTableStream",
            Actions = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            Resources = [table.TableStreamArn!],
        }));
        function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ListTheTableStreams",
            Actions = ["dynamodb:ListStreams"],
            Resources = [Fn.Join(string.Empty, [table.TableArn, "/stream/*"])],
        }));
    }
}
