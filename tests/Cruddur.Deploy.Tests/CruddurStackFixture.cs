using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace Cruddur.Deploy.Tests;

/// <summary>
/// Builds and synthesizes the app once per test class: starting the jsii runtime takes seconds, each assertion
/// milliseconds. <see cref="Template"/> serves the CDK assertions, <see cref="Json"/> the checks that walk every
/// statement or resource.
/// </summary>
public sealed class CruddurStackFixture
{
    private static readonly Lazy<string> Scratch = new(PrepareScratch);

    public CruddurStackFixture()
    {
        var outdir = Path.Combine(Scratch.Value, $"cdk.out-{Guid.NewGuid():N}");
        var (app, stack) = CruddurApp.Create(outdir);
        var assembly = app.Synth();
        SynthesizedTemplatePath = assembly.GetStackByName(CruddurApp.StackName).TemplateFullPath;
        Json = JsonNode.Parse(File.ReadAllText(SynthesizedTemplatePath))!.AsObject();
        Template = Template.FromStack(stack);
    }

    public Template Template { get; }

    public JsonObject Json { get; }

    public string SynthesizedTemplatePath { get; }

    public JsonObject Resources => Json[nameof(Resources)]!.AsObject();

    /// <summary>The resources of one type, by logical id.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonObject>> ResourcesOfType(string type) =>
        [.. Resources.Where(resource => resource.Value!["Type"]!.GetValue<string>() == type).Select(resource => KeyValuePair.Create(resource.Key, resource.Value!.AsObject()))];

    /// <summary>The properties of the single resource of a type.</summary>
    public JsonObject SingleProperties(string type) => ResourcesOfType(type).ShouldHaveSingleItem().Value["Properties"]!.AsObject();

    public string SingleLogicalId(string type) => ResourcesOfType(type).ShouldHaveSingleItem().Key;

    /// <summary>The logical ids of the VPC's private subnets (name <c>private</c>).</summary>
    public IReadOnlyList<string> PrivateSubnetIds =>
        [.. ResourcesOfType("AWS::EC2::Subnet").Select(subnet => subnet.Key).Where(id => id.Contains("privateSubnet", StringComparison.Ordinal))];

    /// <summary>Which of the region's AZs a subnet is in (the index of its <c>Fn::Select</c> over <c>Fn::GetAZs</c>).</summary>
    public int AvailabilityZoneIndex(string subnetLogicalId) =>
        Resources[subnetLogicalId]!["Properties"]!["AvailabilityZone"]!["Fn::Select"]![0]!.GetValue<int>();

    /// <summary>Every statement of the policies attached to a role (inline and AWS::IAM::Policy resources).</summary>
    public IReadOnlyList<JsonNode> PolicyStatementsOfRole(string roleLogicalId)
    {
        var inline = Resources[roleLogicalId]!["Properties"]!["Policies"]?.AsArray().SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray()) ?? [];
        var attached = ResourcesOfType("AWS::IAM::Policy")
            .Where(policy => policy.Value["Properties"]!["Roles"]!.AsArray().Any(role => role!["Ref"]?.GetValue<string>() == roleLogicalId))
            .SelectMany(policy => policy.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray());
        return [.. inline.Concat(attached).Select(statement => statement!)];
    }

    /// <summary>Every policy statement of the template: inline in roles and in AWS::IAM::Policy resources.</summary>
    public IReadOnlyList<JsonNode> AllPolicyStatements =>
        [.. ResourcesOfType("AWS::IAM::Role").SelectMany(role => PolicyStatementsOfRole(role.Key))];

    /// <summary>A statement's actions, whether written as one string or a list.</summary>
    public static IEnumerable<string> Actions(JsonNode statement) =>
        statement["Action"] is JsonArray actions ? actions.Select(action => action!.GetValue<string>()) : [statement["Action"]!.GetValue<string>()];

    /// <summary>
    /// TMPDIR for the jsii runtime and the synthesized apps: a folder in the build output, removed when the process
    /// ends (and at the next start, should a run have been killed). Set before the first CDK call of the process.
    /// </summary>
    private static string PrepareScratch()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        if (!path.Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, "node"))))
        {
            throw new InvalidOperationException("The AWS CDK runs its jsii runtime on Node.js: put node (18 or later) on PATH, e.g. apt-get install nodejs.");
        }

        var scratch = Path.Combine(AppContext.BaseDirectory, "scratch");
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        Directory.CreateDirectory(scratch);
        // The jsii runtime leaves about 66 MB there per process (copies of the CDK's packages).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(scratch, recursive: true);
        Environment.SetEnvironmentVariable("TMPDIR", scratch);
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        return scratch;
    }
}
