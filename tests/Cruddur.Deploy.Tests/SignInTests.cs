using Amazon.CDK.Assertions;

namespace Cruddur.Deploy.Tests;

public sealed class SignInTests(CruddurStackFixture stack) : IClassFixture<CruddurStackFixture>
{
    private static readonly Dictionary<string, object> SiteUrl =
        Props.Of(("Fn::Join", new object[] { string.Empty, new object[] { "https://", Props.Of(("Ref", "DomainName")), "/" } }));

    [Fact]
    public void The_web_client_uses_the_authorization_code_flow_without_a_secret()
    {
        stack.Template.HasResourceProperties("AWS::Cognito::UserPoolClient", Match.ObjectLike(Props.Of(
            ("AllowedOAuthFlows", new object[] { "code" }),
            ("AllowedOAuthFlowsUserPoolClient", true),
            ("GenerateSecret", false),
            ("AllowedOAuthScopes", new object[] { "openid", "email", "profile" }),
            ("CallbackURLs", new object[] { SiteUrl }),
            ("LogoutURLs", new object[] { SiteUrl }))));
    }

    [Fact]
    public void The_pool_signs_in_by_e_mail_and_holds_the_handle_as_preferred_username()
    {
        var pool = stack.SingleProperties("AWS::Cognito::UserPool");

        pool["UsernameAttributes"]!.AsArray().Select(attribute => attribute!.GetValue<string>()).ShouldBe(["email"]);
        var attributes = pool["Schema"]!.AsArray().Select(attribute => attribute!["Name"]!.GetValue<string>()).ToList();
        string[] expected = ["preferred_username", "name", "email"];
        expected.ShouldBeSubsetOf(attributes);
        pool["AdminCreateUserConfig"]!["AllowAdminCreateUserOnly"]!.GetValue<bool>().ShouldBeTrue("the app accepts only users an operator also put in PostgreSQL");
    }

    [Fact]
    public void The_hosted_domain_takes_its_prefix_from_the_parameter()
    {
        stack.Template.HasResourceProperties("AWS::Cognito::UserPoolDomain", Match.ObjectLike(Props.Of(
            ("Domain", Props.Of(("Ref", "CognitoDomainPrefix"))),
            ("UserPoolId", Props.Of(("Ref", stack.SingleLogicalId("AWS::Cognito::UserPool")))))));
    }

    [Fact]
    public void The_app_is_told_the_pool_the_client_the_domain_and_the_redirect()
    {
        var environment = stack.SingleProperties("AWS::ECS::TaskDefinition")["ContainerDefinitions"]![0]!["Environment"]!.AsArray()
            .ToDictionary(variable => variable!["Name"]!.GetValue<string>(), variable => variable!["Value"]!.ToJsonString());

        environment["Authentication__Cognito__UserPoolId"].ShouldContain(stack.SingleLogicalId("AWS::Cognito::UserPool"));
        environment["Authentication__Cognito__ClientId"].ShouldContain(stack.SingleLogicalId("AWS::Cognito::UserPoolClient"));
        environment["Authentication__Cognito__Domain"].ShouldContain("CognitoDomainPrefix");
        environment["Authentication__Cognito__Domain"].ShouldContain(".amazoncognito.com");
        environment["Authentication__Cognito__RedirectUri"].ShouldBe(stack.SingleProperties("AWS::Cognito::UserPoolClient")["CallbackURLs"]![0]!.ToJsonString());
    }
}
