using System.Text.Json.Nodes;

namespace Cruddur.Deploy.Tests;

public sealed class TemplateTests(CruddurStackFixture stack) : IClassFixture<CruddurStackFixture>
{
    private const string RegenerateCommand = "dotnet run --project deploy/Cruddur.Deploy -- --write-template deploy/cruddur.template.json";

    [Fact]
    public void The_committed_template_equals_the_synthesized_one()
    {
        var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "deploy", "cruddur.template.json")));

        JsonNode.DeepEquals(committed, stack.Json).ShouldBeTrue(
            $"deploy/cruddur.template.json is stale: regenerate it from the repo root with `{RegenerateCommand}` and commit it (synthesized: {stack.SynthesizedTemplatePath}).");
    }

    [Theory]
    [InlineData("SiteUrl")]
    [InlineData("UserPoolId")]
    [InlineData("UserPoolClientId")]
    [InlineData("HostedDomain")]
    [InlineData("TableName")]
    [InlineData("LoadBalancerDnsName")]
    public void The_stack_outputs(string name)
    {
        stack.Template.HasOutput(name, new Dictionary<string, object>());
    }

    [Fact]
    public void No_statement_grants_a_DynamoDB_action_on_every_resource()
    {
        var statements = stack.AllPolicyStatements;

        statements.ShouldNotBeEmpty();
        foreach (var statement in statements.Where(statement => CruddurStackFixture.Actions(statement).Any(action => action.StartsWith("dynamodb:", StringComparison.Ordinal))))
        {
            statement["Resource"]!.ToJsonString().ShouldNotContain("\"*\"", customMessage: statement.ToJsonString());
            CruddurStackFixture.Actions(statement).ShouldNotContain("dynamodb:*");
        }
    }

    [Fact]
    public void The_template_deploys_with_plain_CloudFormation_without_a_bootstrap_stack()
    {
        stack.Json["Rules"].ShouldBeNull("no CheckBootstrapVersion rule");
        stack.Json["Parameters"]!.AsObject().ShouldNotContain(parameter => parameter.Key == "BootstrapVersion");
        stack.ResourcesOfType("AWS::CDK::Metadata").ShouldBeEmpty();
        stack.Json.ToJsonString().ShouldNotContain("cdk-hnb659fds", customMessage: "no reference to the bootstrap stack's bucket or roles");
        new FileInfo(stack.SynthesizedTemplatePath).Length.ShouldBeLessThan(51_200, "aws cloudformation deploy sends a template of up to 51,200 bytes inline; a larger one needs an S3 bucket");
    }
}
