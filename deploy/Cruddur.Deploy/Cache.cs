using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ElastiCache;
using Constructs;

namespace Cruddur.Deploy;

/// <summary>ElastiCache Serverless (Valkey) in the private subnets: the scale-out backplane for the web app and the function.</summary>
internal sealed class Cache
{
    public const double RedisPort = 6379;

    private Cache(SecurityGroup securityGroup, CfnServerlessCache serverlessCache)
    {
        SecurityGroup = securityGroup;
        ConnectionString = Fn.Join(string.Empty, [serverlessCache.AttrEndpointAddress, ":", serverlessCache.AttrEndpointPort, ",ssl=true,abortConnect=false"]);
    }

    public SecurityGroup SecurityGroup { get; }

    /// <summary>A StackExchange.Redis connection string (serverless caches accept TLS only).</summary>
    public string ConnectionString { get; }

    public static Cache Add(Construct scope, Vpc vpc)
    {
        var securityGroup = new SecurityGroup(scope, "CacheSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "Cruddur cache: port 6379 from the web tasks and the stream function only",
            AllowAllOutbound = false,
        });
        var serverlessCache = new CfnServerlessCache(scope, "Cache", new CfnServerlessCacheProps
        {
            // Valkey: a 100 MB storage minimum instead of Redis OSS's 1 GB, and cheaper ECPUs.
            Engine = "valkey",
            MajorEngineVersion = "8",
            ServerlessCacheName = Fn.Join("-", [Aws.STACK_NAME, "cache"]),
            Description = "Cruddur Messaging scale-out backplane",
            SubnetIds = vpc.SelectSubnets(Network.PrivateSubnets).SubnetIds,
            SecurityGroupIds = [securityGroup.SecurityGroupId],
        });
        return new Cache(securityGroup, serverlessCache);
    }

    /// <summary>Lets the given security group reach the cache on its port.</summary>
    public void AllowFrom(ISecurityGroup client, string description) =>
        SecurityGroup.AddIngressRule(client, Port.Tcp(RedisPort), description);
}
