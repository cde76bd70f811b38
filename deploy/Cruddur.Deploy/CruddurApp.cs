using Amazon.CDK;

namespace Cruddur.Deploy;

/// <summary>The CDK app: one environment-agnostic stack whose template plain CloudFormation users can deploy.</summary>
internal static class CruddurApp
{
    public const string StackName = "CruddurStack";

    /// <summary>The app, writing to <paramref name="outdir"/> when synthesized, and its one stack.</summary>
    public static (App App, CruddurStack Stack) Create(string outdir)
    {
        var app = new App(new AppProps
        {
            Outdir = outdir,
            AnalyticsReporting = false,
            // No aws:cdk:path metadata on every resource: the committed template stays readable.
            Context = new Dictionary<string, object> { ["aws:cdk:enable-path-metadata"] = false },
        });
        var stack = new CruddurStack(app, StackName, new StackProps
        {
            Description = "Cruddur Messaging: the messages table, pattern E's stream function, the web app on ECS Fargate behind an ALB, the cache, the Cognito user pool.",
            // No assets and no bootstrap rule: the template deploys with plain CloudFormation, or with cdk deploy without cdk bootstrap.
            Synthesizer = new BootstraplessSynthesizer(new BootstraplessSynthesizerProps()),
        });
        return (app, stack);
    }
}
