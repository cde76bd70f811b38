namespace Cruddur.Deploy.Tests;

public sealed class TelemetryTests(CruddurStackFixture stack) : IClassFixture<CruddurStackFixture>
{
    [Fact]
    public void The_OTLP_endpoint_is_an_optional_parameter_that_reaches_the_web_app_and_the_function()
    {
        var parameter = stack.Json["Parameters"]!["OtlpEndpoint"]!;
        parameter["Default"]!.GetValue<string>().ShouldBeEmpty("empty means no export: the stack deploys without a collector");

        var web = stack.SingleProperties("AWS::ECS::TaskDefinition")["ContainerDefinitions"]![0]!["Environment"]!.AsArray()
            .Single(variable => variable!["Name"]!.GetValue<string>() == "OTEL_EXPORTER_OTLP_ENDPOINT")!;
        web["Value"]!["Ref"]!.GetValue<string>().ShouldBe("OtlpEndpoint");
        var function = stack.SingleProperties("AWS::Lambda::Function")["Environment"]!["Variables"]!["OTEL_EXPORTER_OTLP_ENDPOINT"]!;
        function["Ref"]!.GetValue<string>().ShouldBe("OtlpEndpoint");
    }
}
