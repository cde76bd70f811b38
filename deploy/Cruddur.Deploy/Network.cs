using Amazon.CDK.AWS.EC2;
using Constructs;

namespace Cruddur.Deploy;

/// <summary>
/// Two AZs, public subnets for the load balancer and the one NAT gateway, private subnets with egress for the tasks,
/// the function and the cache. DynamoDB and S3 (image layers) traffic goes through free gateway endpoints, not the NAT gateway.
/// </summary>
internal static class Network
{
    public static Vpc Add(Construct scope)
    {
        var vpc = new Vpc(scope, "Vpc", new VpcProps
        {
            MaxAzs = 2,
            // One NAT gateway (about $33 a month plus data) instead of one per AZ: the tasks still need egress for ECR,
            // CloudWatch Logs, Secrets Manager and Cognito's keys; losing its AZ cuts egress for both until it is back.
            NatGateways = 1,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration { Name = "private", SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 22 },
            ],
        });
        vpc.AddGatewayEndpoint("DynamoDbEndpoint", new GatewayVpcEndpointOptions
        {
            Service = GatewayVpcEndpointAwsService.DYNAMODB,
            Subnets = [PrivateSubnets],
        });
        // ECR serves image layers from S3: through this free endpoint they bypass the NAT gateway's per-GB charge.
        vpc.AddGatewayEndpoint("S3Endpoint", new GatewayVpcEndpointOptions
        {
            Service = GatewayVpcEndpointAwsService.S3,
            Subnets = [PrivateSubnets],
        });
        return vpc;
    }

    public static SubnetSelection PrivateSubnets => new() { SubnetType = SubnetType.PRIVATE_WITH_EGRESS };
}
