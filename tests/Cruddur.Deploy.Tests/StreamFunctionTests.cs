using System.Reflection;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace Cruddur.Deploy.Tests;

public sealed class StreamFunctionTests(CruddurStackFixture stack) : IClassFixture<CruddurStackFixture>
{
    private const string FunctionType = "AWS::Lambda::Function";
    private const string MappingType = "AWS::Lambda::EventSourceMapping";

    [Fact]
    public void The_handler_string_names_a_public_stream_method_of_the_built_assembly()
    {
        var function = stack.SingleProperties(FunctionType);
        function["Runtime"]!.GetValue<string>().ShouldBe("dotnet10");
        var parts = function["Handler"]!.GetValue<string>().Split("::");
        parts.Length.ShouldBe(3, "Assembly::Namespace.Type::Method");

        var assemblyFile = Path.Combine(AppContext.BaseDirectory, parts[0] + ".dll");
        File.Exists(assemblyFile).ShouldBeTrue($"{assemblyFile} should be built");
        var assembly = Assembly.LoadFrom(assemblyFile);
        var type = assembly.GetType(parts[1]).ShouldNotBeNull($"type {parts[1]} in {parts[0]}");
        type.IsPublic.ShouldBeTrue();
        type.GetConstructor(Type.EmptyTypes).ShouldNotBeNull("the runtime creates the handler's type with its public parameterless constructor");
        var method = type.GetMethod(parts[2], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).ShouldNotBeNull($"public method {parts[2]}");
        method.GetParameters().Select(parameter => parameter.ParameterType).ShouldBe([typeof(Stream)]);
        method.ReturnType.ShouldBe(typeof(Task<Stream>));
        function["MemorySize"]!.GetValue<int>().ShouldBeInRange(128, 10240);
        function["Timeout"]!.GetValue<int>().ShouldBeInRange(1, 900);
    }

    [Fact]
    public void The_code_comes_from_the_bucket_and_key_parameters()
    {
        stack.Template.HasResourceProperties(FunctionType, Match.ObjectLike(Props.Of(
            ("Code", Props.Of(("S3Bucket", Props.Of(("Ref", "CodeBucket"))), ("S3Key", Props.Of(("Ref", "CodeKey"))))))));
    }

    [Fact]
    public void The_function_runs_in_the_private_subnets_and_knows_the_table_and_the_cache()
    {
        var function = stack.SingleProperties(FunctionType);

        function["VpcConfig"]!["SubnetIds"]!.AsArray().Select(subnet => subnet!["Ref"]!.GetValue<string>())
            .ShouldBe(stack.PrivateSubnetIds, ignoreOrder: true);
        var variables = function["Environment"]!["Variables"]!.AsObject();
        variables["Messaging__TableName"]!["Ref"]!.GetValue<string>().ShouldBe(stack.SingleLogicalId("AWS::DynamoDB::Table"));
        variables["ConnectionStrings__Redis"]!.ToJsonString().ShouldContain("Endpoint.Address");
        variables["ConnectionStrings__Redis"]!.ToJsonString().ShouldContain("ssl=true");
    }

    [Fact]
    public void The_event_source_mapping_reports_partial_failures_bisects_retries_and_keeps_what_failed()
    {
        var mapping = stack.SingleProperties(MappingType);

        mapping["EventSourceArn"]!["Fn::GetAtt"]!.AsArray().Select(part => part!.GetValue<string>())
            .ShouldBe([stack.SingleLogicalId("AWS::DynamoDB::Table"), "StreamArn"]);
        mapping["FunctionName"]!["Ref"]!.GetValue<string>().ShouldBe(stack.SingleLogicalId(FunctionType));
        stack.Template.HasResourceProperties(MappingType, Match.ObjectLike(Props.Of(
            ("FunctionResponseTypes", new object[] { "ReportBatchItemFailures" }),
            ("BisectBatchOnFunctionError", true),
            ("MaximumRetryAttempts", Props.Of(("Ref", "MaximumRetryAttempts"))),
            ("BatchSize", Props.Of(("Ref", "BatchSize"))),
            ("MaximumRecordAgeInSeconds", 86400),
            ("StartingPosition", "TRIM_HORIZON"),
            ("ParallelizationFactor", 1))));
        mapping["DestinationConfig"]!["OnFailure"]!["Destination"]!["Fn::GetAtt"]![0]!.GetValue<string>()
            .ShouldBe(stack.SingleLogicalId("AWS::SQS::Queue"));
    }

    [Fact]
    public void The_mapping_passes_only_new_message_items_to_the_function()
    {
        var mapping = stack.SingleProperties(MappingType);

        var pattern = JsonNode.Parse(mapping["FilterCriteria"]!["Filters"]!.AsArray().ShouldHaveSingleItem()!["Pattern"]!.GetValue<string>())!;
        JsonNode.DeepEquals(pattern, JsonNode.Parse("""{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"MSG#"}]}}}}""")).ShouldBeTrue(pattern.ToJsonString());
    }

    [Fact]
    public void The_function_role_grants_nothing_beyond_the_table_its_index_its_stream_and_the_queue()
    {
        var role = stack.SingleProperties(FunctionType)["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        var statements = stack.PolicyStatementsOfRole(role);
        string[] allowedTargets = [stack.SingleLogicalId("AWS::DynamoDB::Table"), stack.SingleLogicalId("AWS::SQS::Queue")];

        statements.ShouldNotBeEmpty();
        foreach (var statement in statements)
        {
            var resource = statement["Resource"]!.ToJsonString();
            resource.ShouldNotContain("\"*\"");
            allowedTargets.ShouldContain(target => resource.Contains(target, StringComparison.Ordinal), $"statement {statement.ToJsonString()}");
            CruddurStackFixture.Actions(statement).ShouldAllBe(action => !action.EndsWith('*'));
        }

        var dynamoDbActions = statements.SelectMany(CruddurStackFixture.Actions).Where(action => action.StartsWith("dynamodb:", StringComparison.Ordinal)).Order().ToArray();
        dynamoDbActions.ShouldBe(["dynamodb:DeleteItem", "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "dynamodb:PutItem", "dynamodb:Query"]);
        statements.Single(statement => CruddurStackFixture.Actions(statement).Contains("dynamodb:PutItem"))["Condition"]!.ToJsonString().ShouldContain("GRP#*");
    }

    [Fact]
    public void The_function_role_adds_only_Lambda_s_own_policies_for_logs_and_the_VPC()
    {
        var role = stack.SingleProperties(FunctionType)["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();

        stack.Resources[role]!["Properties"]!["ManagedPolicyArns"]!.AsArray()
            .Select(arn => arn!.ToJsonString().Split("policy/")[1].TrimEnd('"', ']', '}'))
            .ShouldBe(["service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole"], ignoreOrder: true);
    }

    [Fact]
    public void An_alarm_fires_when_a_batch_reaches_the_failure_queue()
    {
        stack.Template.HasResourceProperties("AWS::CloudWatch::Alarm", Match.ObjectLike(Props.Of(
            ("Namespace", "AWS/SQS"),
            ("MetricName", "ApproximateNumberOfMessagesVisible"),
            ("Dimensions", new object[] { Props.Of(("Name", "QueueName"), ("Value", Props.Of(("Fn::GetAtt", new object[] { stack.SingleLogicalId("AWS::SQS::Queue"), "QueueName" })))) }),
            ("ComparisonOperator", "GreaterThanThreshold"),
            ("Threshold", 0),
            ("AlarmActions", new object[] { Props.Of(("Ref", stack.SingleLogicalId("AWS::SNS::Topic"))) }))));
    }

    [Fact]
    public void An_alarm_fires_when_the_function_falls_behind_the_stream()
    {
        stack.Template.HasResourceProperties("AWS::CloudWatch::Alarm", Match.ObjectLike(Props.Of(
            ("Namespace", "AWS/Lambda"),
            ("MetricName", "IteratorAge"),
            ("Dimensions", new object[] { Props.Of(("Name", "FunctionName"), ("Value", Props.Of(("Ref", stack.SingleLogicalId(FunctionType))))) }),
            ("ComparisonOperator", "GreaterThanThreshold"),
            ("AlarmActions", new object[] { Props.Of(("Ref", stack.SingleLogicalId("AWS::SNS::Topic"))) }))));
    }
}
