using Amazon.CDK;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace Cruddur.Deploy;

/// <summary>
/// Everything Cruddur Messaging runs on in AWS except PostgreSQL (RDS or any server the tasks reach; its connection
/// string comes from the Secrets Manager secret named by a parameter). See docs/deploy.md.
/// </summary>
internal sealed class CruddurStack : Stack
{
    public CruddurStack(Construct scope, string id, IStackProps props)
        : base(scope, id, props)
    {
        var parameters = StackParameters.Add(this);
        var table = MessagesTable.Add(this, parameters);
        var vpc = Network.Add(this);
        var cache = Cache.Add(this, vpc);
        var alarms = new Topic(this, "AlarmTopic", new TopicProps { DisplayName = "Cruddur Messaging alarms" });
        var function = StreamFunction.Add(this, parameters, table, vpc, cache, alarms);
        var signIn = SignIn.Add(this, parameters);
        var web = WebService.Add(this, parameters, vpc, table, cache, signIn);

        Output("SiteUrl", parameters.SiteUrl, "The web app (point DomainName at LoadBalancerDnsName first).");
        Output("LoadBalancerDnsName", web.LoadBalancer.LoadBalancerDnsName, "Target of DomainName's CNAME or alias record.");
        Output("UserPoolId", signIn.Pool.UserPoolId, "Cognito user pool (aws cognito-idp admin-create-user --user-pool-id ...).");
        Output("UserPoolClientId", signIn.Client.UserPoolClientId, "The web UI's app client.");
        Output("HostedDomain", signIn.HostedDomain, "Cognito's hosted sign-in domain.");
        Output("TableName", table.TableName, "The messages table.");
        Output("StreamFunctionName", function.FunctionName, "Pattern E's function.");
        Output("AlarmTopicArn", alarms.TopicArn, "Subscribe to receive the stream alarms.");
        Output("WebSecurityGroupId", web.Service.Connections.SecurityGroups[0].SecurityGroupId, "Allow it into PostgreSQL's security group.");
    }

    // Outputs live in their own template section, so an output may share a parameter's name (TableName) there.
    private void Output(string name, string value, string description) =>
        new CfnOutput(this, $"Output{name}", new CfnOutputProps { Value = value, Description = description }).OverrideLogicalId(name);
}
