using Amazon.CDK.Assertions;

namespace Cruddur.Deploy.Tests;

public sealed class NetworkAndCacheTests(CruddurStackFixture stack) : IClassFixture<CruddurStackFixture>
{
    [Fact]
    public void The_VPC_spans_two_AZs_with_a_public_and_a_private_subnet_in_each()
    {
        stack.Template.ResourceCountIs("AWS::EC2::VPC", 1);
        stack.PrivateSubnetIds.Count.ShouldBe(2);
        stack.PrivateSubnetIds.Select(stack.AvailabilityZoneIndex).ShouldBe([0, 1], ignoreOrder: true);
        stack.ResourcesOfType("AWS::EC2::Subnet").Count.ShouldBe(4);
        // One NAT gateway for both AZs (cost: docs/deploy.md).
        stack.Template.ResourceCountIs("AWS::EC2::NatGateway", 1);
    }

    [Fact]
    public void DynamoDB_traffic_of_the_private_subnets_goes_through_a_gateway_endpoint()
    {
        var endpoint = stack.ResourcesOfType("AWS::EC2::VPCEndpoint").Select(endpoint => endpoint.Value["Properties"]!)
            .Single(endpoint => endpoint["ServiceName"]!.ToJsonString().Contains(".dynamodb", StringComparison.Ordinal));

        endpoint["VpcEndpointType"]!.GetValue<string>().ShouldBe("Gateway");
        var routeTables = endpoint["RouteTableIds"]!.AsArray().Select(table => table!["Ref"]!.GetValue<string>()).ToList();
        routeTables.Count.ShouldBe(2);
        routeTables.ShouldAllBe(table => table.Contains("privateSubnet", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cache_is_serverless_in_the_private_subnets()
    {
        var cache = stack.SingleProperties("AWS::ElastiCache::ServerlessCache");

        cache["Engine"]!.GetValue<string>().ShouldBeOneOf("valkey", "redis");
        cache["SubnetIds"]!.AsArray().Select(subnet => subnet!["Ref"]!.GetValue<string>()).ShouldBe(stack.PrivateSubnetIds, ignoreOrder: true);
    }

    [Fact]
    public void The_tasks_and_the_function_reach_the_cache_on_6379()
    {
        var cacheGroup = stack.SingleProperties("AWS::ElastiCache::ServerlessCache")["SecurityGroupIds"]!.AsArray().ShouldHaveSingleItem()!["Fn::GetAtt"]![0]!.GetValue<string>();
        var functionGroup = stack.SingleProperties("AWS::Lambda::Function")["VpcConfig"]!["SecurityGroupIds"]!.AsArray().ShouldHaveSingleItem()!["Fn::GetAtt"]![0]!.GetValue<string>();
        var serviceGroup = stack.SingleProperties("AWS::ECS::Service")["NetworkConfiguration"]!["AwsvpcConfiguration"]!["SecurityGroups"]!.AsArray().ShouldHaveSingleItem()!["Fn::GetAtt"]![0]!.GetValue<string>();

        foreach (var client in new[] { functionGroup, serviceGroup })
        {
            stack.Template.HasResourceProperties("AWS::EC2::SecurityGroupIngress", Match.ObjectLike(Props.Of(
                ("GroupId", Props.Of(("Fn::GetAtt", new object[] { cacheGroup, "GroupId" }))),
                ("SourceSecurityGroupId", Props.Of(("Fn::GetAtt", new object[] { client, "GroupId" }))),
                ("IpProtocol", "tcp"),
                ("FromPort", 6379),
                ("ToPort", 6379))));
        }

        // Nothing else gets in: the cache's group has no inline ingress rules (such as 0.0.0.0/0).
        stack.Resources[cacheGroup]!["Properties"]!["SecurityGroupIngress"].ShouldBeNull();
    }

    [Fact]
    public void The_tasks_and_the_function_get_the_cache_endpoint_over_TLS()
    {
        var web = stack.SingleProperties("AWS::ECS::TaskDefinition")["ContainerDefinitions"]![0]!["Environment"]!.AsArray()
            .Single(variable => variable!["Name"]!.GetValue<string>() == "ConnectionStrings__Redis")!["Value"]!;
        var function = stack.SingleProperties("AWS::Lambda::Function")["Environment"]!["Variables"]!["ConnectionStrings__Redis"]!;

        web.ToJsonString().ShouldBe(function.ToJsonString());
        web.ToJsonString().ShouldContain("\"Cache\",\"Endpoint.Address\"");
        web.ToJsonString().ShouldContain("ssl=true");
    }
}
