using System.Reflection;
using System.Text.Json;

namespace Cruddur.StreamFunction.Tests;

public sealed class DeployTemplateTests
{
    private static readonly Lazy<JsonDocument> Template = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "deploy", "template.json"))));

    private static JsonElement TemplateResources => Template.Value.RootElement.GetProperty("Resources");

    [Fact]
    public void The_handler_string_names_a_public_stream_method_of_the_built_assembly()
    {
        var function = SingleResource("AWS::Lambda::Function");
        function.GetProperty("Runtime").GetString().ShouldStartWith("dotnet");
        var parts = function.GetProperty("Handler").GetString()!.Split("::");
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
        function.GetProperty("MemorySize").GetInt32().ShouldBeInRange(128, 10240);
        function.GetProperty("Timeout").GetInt32().ShouldBeInRange(1, 900);
    }

    [Fact]
    public void The_table_has_the_keys_index_stream_billing_and_recovery_of_the_design()
    {
        var table = SingleResource("AWS::DynamoDB::Table");

        table.GetProperty("BillingMode").GetString().ShouldBe("PAY_PER_REQUEST");
        table.GetProperty("StreamSpecification").GetProperty("StreamViewType").GetString().ShouldBe("NEW_AND_OLD_IMAGES");
        table.GetProperty("PointInTimeRecoverySpecification").GetProperty("PointInTimeRecoveryEnabled").GetBoolean().ShouldBeTrue();
        Keys(table.GetProperty("KeySchema")).ShouldBe(["pk:HASH", "sk:RANGE"]);
        var index = table.GetProperty("GlobalSecondaryIndexes").EnumerateArray().ShouldHaveSingleItem();
        index.GetProperty("IndexName").GetString().ShouldBe("message-group-sk-index");
        Keys(index.GetProperty("KeySchema")).ShouldBe(["message_group_uuid:HASH", "sk:RANGE"]);
        index.GetProperty("Projection").GetProperty("ProjectionType").GetString().ShouldBe("ALL");
    }

    [Fact]
    public void The_event_source_mapping_reports_partial_failures_bisects_retries_and_keeps_what_failed()
    {
        var mapping = SingleResource("AWS::Lambda::EventSourceMapping");

        mapping.GetProperty("EventSourceArn").GetProperty("Fn::GetAtt").EnumerateArray().Select(part => part.GetString()).ShouldBe(["MessagesTable", "StreamArn"]);
        mapping.GetProperty("FunctionResponseTypes").EnumerateArray().Select(type => type.GetString()).ShouldBe(["ReportBatchItemFailures"]);
        mapping.GetProperty("BisectBatchOnFunctionError").GetBoolean().ShouldBeTrue();
        mapping.TryGetProperty("MaximumRetryAttempts", out _).ShouldBeTrue();
        mapping.TryGetProperty("BatchSize", out _).ShouldBeTrue();
        mapping.GetProperty("DestinationConfig").GetProperty("OnFailure").GetProperty("Destination").GetProperty("Fn::GetAtt")[0].GetString()
            .ShouldBe(ResourceName("AWS::SQS::Queue"));
    }

    [Fact]
    public void The_role_grants_nothing_beyond_the_table_its_index_its_stream_the_queue_and_the_log_group()
    {
        var role = SingleResource("AWS::IAM::Role");
        var statements = role.GetProperty("Policies").EnumerateArray()
            .SelectMany(policy => policy.GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            .ToList();
        string[] allowedTargets = ["MessagesTable", ResourceName("AWS::SQS::Queue"), ResourceName("AWS::Logs::LogGroup")];

        statements.ShouldNotBeEmpty();
        foreach (var statement in statements)
        {
            var resource = statement.GetProperty("Resource").GetRawText();
            resource.ShouldNotContain("\"*\"");
            allowedTargets.ShouldContain(target => resource.Contains(target, StringComparison.Ordinal), $"statement {statement.GetRawText()}");
            Actions(statement).ShouldAllBe(action => !action.EndsWith('*'));
        }

        var dynamoDbActions = statements.SelectMany(Actions).Where(action => action.StartsWith("dynamodb:", StringComparison.Ordinal)).Order().ToArray();
        dynamoDbActions.ShouldBe(["dynamodb:DeleteItem", "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "dynamodb:PutItem", "dynamodb:Query"]);
    }

    private static JsonElement SingleResource(string type) => TemplateResources.GetProperty(ResourceName(type)).GetProperty("Properties");

    private static string ResourceName(string type) =>
        TemplateResources.EnumerateObject().Where(resource => resource.Value.GetProperty("Type").GetString() == type).ShouldHaveSingleItem().Name;

    private static IEnumerable<string> Keys(JsonElement keySchema) =>
        keySchema.EnumerateArray().Select(key => $"{key.GetProperty("AttributeName").GetString()}:{key.GetProperty("KeyType").GetString()}");

    private static IEnumerable<string> Actions(JsonElement statement) =>
        statement.GetProperty("Action") is { ValueKind: JsonValueKind.Array } actions
            ? actions.EnumerateArray().Select(action => action.GetString()!)
            : [statement.GetProperty("Action").GetString()!];
}
