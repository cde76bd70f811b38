using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CertificateManager;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ECS.Patterns;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Constructs;
using SecretsManagerSecret = Amazon.CDK.AWS.SecretsManager.Secret;
using Table = Amazon.CDK.AWS.DynamoDB.Table;

namespace Cruddur.Deploy;

/// <summary>
/// The web app on ECS Fargate: at least two tasks in the private subnets of both AZs behind an internet-facing ALB
/// (https with the certificate parameter; http redirects), CPU target tracking, logs in CloudWatch, and a task role
/// limited to the table and its GSI.
/// </summary>
internal static class WebService
{
    public const double ContainerPort = 8080;

    public const string HealthCheckPath = "/health/ready";

    public static ApplicationLoadBalancedFargateService Add(
        Construct scope, StackParameters parameters, Vpc vpc, Table table, Cache cache, SignIn signIn)
    {
        var cluster = new Cluster(scope, "Cluster", new ClusterProps { Vpc = vpc });
        var logGroup = new LogGroup(scope, "WebLogGroup", new LogGroupProps
        {
            LogGroupName = Fn.Sub("/ecs/${AWS::StackName}-web"),
            Retention = RetentionDays.ONE_MONTH,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        var repository = Repository.FromRepositoryName(scope, "ImageRepositoryRef", parameters.ImageRepository.ValueAsString);
        var postgres = SecretsManagerSecret.FromSecretCompleteArn(scope, "PostgresSecretRef", parameters.PostgresSecretArn.ValueAsString);

        var service = new ApplicationLoadBalancedFargateService(scope, "Web", new ApplicationLoadBalancedFargateServiceProps
        {
            Cluster = cluster,
            Cpu = 256,
            MemoryLimitMiB = 512,
            DesiredCount = 2,
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
            HealthCheckGracePeriod = Duration.Seconds(60),
            PublicLoadBalancer = true,
            AssignPublicIp = false,
            TaskSubnets = Network.PrivateSubnets,
            Protocol = ApplicationProtocol.HTTPS,
            Certificate = Certificate.FromCertificateArn(scope, "CertificateRef", parameters.CertificateArn.ValueAsString),
            SslPolicy = SslPolicy.RECOMMENDED_TLS,
            RedirectHTTP = true,
            TaskImageOptions = new ApplicationLoadBalancedTaskImageOptions
            {
                ContainerName = "web",
                Image = ContainerImage.FromEcrRepository(repository, parameters.ImageTag.ValueAsString),
                ContainerPort = ContainerPort,
                TaskRole = TaskRole(scope, table),
                LogDriver = LogDrivers.AwsLogs(new AwsLogDriverProps { LogGroup = logGroup, StreamPrefix = "web" }),
                Environment = new Dictionary<string, string>
                {
                    ["Messaging__TableName"] = table.TableName,
                    ["DynamoDb__Region"] = Aws.REGION,
                    ["ConnectionStrings__Redis"] = cache.ConnectionString,
                    ["Authentication__Cognito__Region"] = Aws.REGION,
                    ["Authentication__Cognito__UserPoolId"] = signIn.Pool.UserPoolId,
                    ["Authentication__Cognito__ClientId"] = signIn.Client.UserPoolClientId,
                    ["Authentication__Cognito__Domain"] = signIn.HostedDomain,
                    ["Authentication__Cognito__RedirectUri"] = parameters.SiteUrl,
                    ["Authentication__Cognito__Scopes"] = SignIn.Scopes,
                    // Only the load balancer reaches the tasks, so its X-Forwarded-For/-Proto are trusted.
                    ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
                    ["OTEL_EXPORTER_OTLP_ENDPOINT"] = parameters.OtlpEndpoint.ValueAsString,
                },
                Secrets = new Dictionary<string, Amazon.CDK.AWS.ECS.Secret>
                {
                    ["ConnectionStrings__Postgres"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(postgres),
                },
            },
        });
        service.TargetGroup.ConfigureHealthCheck(new Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck
        {
            Path = HealthCheckPath,
            HealthyHttpCodes = "200",
            Interval = Duration.Seconds(15),
            Timeout = Duration.Seconds(5),
            HealthyThresholdCount = 2,
            UnhealthyThresholdCount = 3,
        });
        // Connections to a stopping task get 30 s to finish (the default 300 s slows every deployment).
        service.TargetGroup.SetAttribute("deregistration_delay.timeout_seconds", "30");

        var scaling = service.Service.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = 2, MaxCapacity = 6 });
        scaling.ScaleOnCpuUtilization("CpuScaling", new CpuUtilizationScalingProps
        {
            TargetUtilizationPercent = 60,
            ScaleInCooldown = Duration.Minutes(5),
            ScaleOutCooldown = Duration.Minutes(1),
        });

        // The pattern's own outputs name the load balancer's DNS as an https URL, which the certificate does not cover.
        _ = service.Node.TryRemoveChild("LoadBalancerDNS");
        _ = service.Node.TryRemoveChild("ServiceURL");

        foreach (var securityGroup in service.Service.Connections.SecurityGroups)
        {
            cache.AllowFrom(securityGroup, "web tasks");
        }

        return service;
    }

    /// <summary>
    /// What the app calls on the table: patterns A–D, the idempotency records and the readiness check's DescribeTable;
    /// Query on the GSI. Transactions need the item actions they contain, nothing more.
    /// </summary>
    private static Role TaskRole(Construct scope, Table table)
    {
        var role = new Role(scope, "WebTaskRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
            Description = "Cruddur web app: the messages table and its GSI only",
        });
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "MessagesTable",
            Actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"],
            Resources = [table.TableArn],
        }));
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "MessagesTableIndexes",
            Actions = ["dynamodb:Query"],
            Resources = [Fn.Join(string.Empty, [table.TableArn, "/index/*"])],
        }));
        return role;
    }
}
