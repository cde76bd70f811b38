using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace Cruddur.Deploy.Tests;

public sealed class WebServiceTests(CruddurStackFixture stack) : IClassFixture<CruddurStackFixture>
{
    private const string ServiceType = "AWS::ECS::Service";

    [Fact]
    public void The_load_balancer_checks_the_readiness_endpoint_on_the_container_port()
    {
        stack.Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Match.ObjectLike(Props.Of(
            ("HealthCheckPath", "/health/ready"),
            ("Matcher", Props.Of(("HttpCode", "200"))),
            ("TargetType", "ip"))));
        stack.Template.HasResourceProperties("AWS::ECS::TaskDefinition", Match.ObjectLike(Props.Of(
            ("ContainerDefinitions", new object[]
            {
                Match.ObjectLike(Props.Of(("PortMappings", new object[] { Match.ObjectLike(Props.Of(("ContainerPort", 8080))) }))),
            }))));
    }

    [Fact]
    public void The_load_balancer_faces_the_internet_with_https_and_redirects_http()
    {
        stack.Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Match.ObjectLike(Props.Of(("Scheme", "internet-facing"))));
        stack.Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(Props.Of(
            ("Protocol", "HTTPS"),
            ("Port", 443),
            ("Certificates", new object[] { Props.Of(("CertificateArn", Props.Of(("Ref", "CertificateArn")))) }))));
        stack.Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(Props.Of(
            ("Protocol", "HTTP"),
            ("DefaultActions", new object[] { Match.ObjectLike(Props.Of(("Type", "redirect"))) }))));
    }

    [Fact]
    public void At_least_two_tasks_run_in_the_private_subnets_of_two_AZs()
    {
        var service = stack.SingleProperties(ServiceType);

        service["DesiredCount"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(2);
        service["LaunchType"]!.GetValue<string>().ShouldBe("FARGATE");
        var network = service["NetworkConfiguration"]!["AwsvpcConfiguration"]!;
        network["AssignPublicIp"]!.GetValue<string>().ShouldBe("DISABLED");
        var subnets = network["Subnets"]!.AsArray().Select(subnet => subnet!["Ref"]!.GetValue<string>()).ToList();
        subnets.ShouldBe(stack.PrivateSubnetIds, ignoreOrder: true);
        subnets.Select(stack.AvailabilityZoneIndex).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public void The_service_scales_between_two_and_more_tasks_on_CPU()
    {
        var target = stack.SingleProperties("AWS::ApplicationAutoScaling::ScalableTarget");
        target["MinCapacity"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(2);
        target["MaxCapacity"]!.GetValue<int>().ShouldBeGreaterThan(target["MinCapacity"]!.GetValue<int>());
        target["ScalableDimension"]!.GetValue<string>().ShouldBe("ecs:service:DesiredCount");

        stack.Template.HasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.ObjectLike(Props.Of(
            ("PolicyType", "TargetTrackingScaling"),
            ("TargetTrackingScalingPolicyConfiguration", Match.ObjectLike(Props.Of(
                ("PredefinedMetricSpecification", Props.Of(("PredefinedMetricType", "ECSServiceAverageCPUUtilization")))))))));
    }

    [Fact]
    public void The_container_gets_its_settings_and_the_PostgreSQL_connection_string_from_the_secret()
    {
        var container = Container();

        var names = container["Environment"]!.AsArray().Select(variable => variable!["Name"]!.GetValue<string>()).ToList();
        string[] expected =
        [
            "Messaging__TableName", "DynamoDb__Region", "ConnectionStrings__Redis",
            "Authentication__Cognito__Region", "Authentication__Cognito__UserPoolId", "Authentication__Cognito__ClientId",
            "Authentication__Cognito__Domain", "Authentication__Cognito__RedirectUri",
        ];
        expected.ShouldBeSubsetOf(names);
        names.ShouldNotContain("ConnectionStrings__Postgres", "the connection string holds a password: a secret, never plain environment");
        var secret = container["Secrets"]!.AsArray().ShouldHaveSingleItem()!;
        secret["Name"]!.GetValue<string>().ShouldBe("ConnectionStrings__Postgres");
        secret["ValueFrom"]!["Ref"]!.GetValue<string>().ShouldBe("PostgresSecretArn");
    }

    [Fact]
    public void The_container_logs_to_a_log_group_with_a_retention()
    {
        var logs = Container()["LogConfiguration"]!;

        logs["LogDriver"]!.GetValue<string>().ShouldBe("awslogs");
        var logGroup = logs["Options"]!["awslogs-group"]!["Ref"]!.GetValue<string>();
        stack.Resources[logGroup]!["Properties"]!["RetentionInDays"]!.GetValue<int>().ShouldBeGreaterThan(0);
    }

    [Fact]
    public void The_task_role_reaches_the_table_and_its_indexes_only()
    {
        var taskRole = stack.SingleProperties("AWS::ECS::TaskDefinition")["TaskRoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        var statements = stack.PolicyStatementsOfRole(taskRole);
        var table = stack.SingleLogicalId("AWS::DynamoDB::Table");

        statements.ShouldNotBeEmpty();
        foreach (var statement in statements)
        {
            CruddurStackFixture.Actions(statement).ShouldAllBe(action => action.StartsWith("dynamodb:", StringComparison.Ordinal) && !action.EndsWith('*'));
            var resources = statement["Resource"] is JsonArray list ? [.. list.Select(item => item!)] : new[] { statement["Resource"]! };
            resources.ShouldAllBe(resource =>
                JsonNode.DeepEquals(resource, TableArn(table)) || resource.ToJsonString() == IndexArn(table).ToJsonString());
        }

        stack.Resources[taskRole]!["Properties"]!["ManagedPolicyArns"].ShouldBeNull();
        statements.SelectMany(CruddurStackFixture.Actions).Distinct().Order()
            .ShouldBe(["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]);
    }

    private JsonNode Container() =>
        stack.SingleProperties("AWS::ECS::TaskDefinition")["ContainerDefinitions"]!.AsArray().ShouldHaveSingleItem()!;

    private static JsonObject TableArn(string table) => new JsonObject { ["Fn::GetAtt"] = new JsonArray(table, "Arn") };

    private static JsonObject IndexArn(string table) =>
        new JsonObject { ["Fn::Join"] = new JsonArray(string.Empty, new JsonArray(TableArn(table), "/index/*")) };
}
