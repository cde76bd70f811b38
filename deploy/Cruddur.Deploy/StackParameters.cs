using Amazon.CDK;
using Constructs;

namespace Cruddur.Deploy;

/// <summary>The stack's CloudFormation parameters: what differs between accounts, chosen at deploy time.</summary>
internal sealed class StackParameters
{
    private StackParameters(Construct scope)
    {
        TableName = Text(scope, "TableName", "The messages table's name.", "cruddur-messages", minLength: 3, maxLength: 255);
        CodeBucket = Text(scope, "CodeBucket", "S3 bucket holding the stream function's zip (dotnet publish src/Cruddur.StreamFunction -c Release -o publish, zipped).");
        CodeKey = Text(scope, "CodeKey", "S3 key of the stream function's zip.");
        BatchSize = Number(scope, "BatchSize", "Stream records per function invocation.", 100, 1, 1000);
        MaximumRetryAttempts = Number(scope, "MaximumRetryAttempts", "Retries of a failing stream batch (bisected) before it goes to the failure queue.", 5, 0, 10000);
        ImageRepository = Text(scope, "ImageRepository", "ECR repository (name) of the web app's image.", "cruddur-messaging-web");
        ImageTag = Text(scope, "ImageTag", "Tag of the web app's image in ImageRepository.", "latest");
        PostgresSecretArn = Text(scope, "PostgresSecretArn", "Complete ARN of the Secrets Manager secret whose string is the PostgreSQL connection string (ConnectionStrings__Postgres).");
        DomainName = Text(scope, "DomainName", "Host name of the site (e.g. messages.example.com); point it at the LoadBalancerDnsName output with a CNAME or alias record.");
        CertificateArn = Text(scope, "CertificateArn", "ACM certificate for DomainName in this region: Cognito accepts only https callback URLs.");
        CognitoDomainPrefix = Text(scope, "CognitoDomainPrefix", "Prefix of the hosted sign-in domain (PREFIX.auth.REGION.amazoncognito.com); unique within the region.");
        OtlpEndpoint = Text(scope, "OtlpEndpoint", "OpenTelemetry collector (e.g. an ADOT collector in the VPC, http://HOST:4317) that the web app and the function export traces and metrics to (OTEL_EXPORTER_OTLP_ENDPOINT); empty: no export.", string.Empty, minLength: null);
    }

    public CfnParameter TableName { get; }

    public CfnParameter CodeBucket { get; }

    public CfnParameter CodeKey { get; }

    public CfnParameter BatchSize { get; }

    public CfnParameter MaximumRetryAttempts { get; }

    public CfnParameter ImageRepository { get; }

    public CfnParameter ImageTag { get; }

    public CfnParameter PostgresSecretArn { get; }

    public CfnParameter DomainName { get; }

    public CfnParameter CertificateArn { get; }

    public CfnParameter CognitoDomainPrefix { get; }

    public CfnParameter OtlpEndpoint { get; }

    /// <summary>The site's address, which is also the Cognito client's callback and logout URL.</summary>
    public string SiteUrl => Fn.Join(string.Empty, ["https://", DomainName.ValueAsString, "/"]);

    public static StackParameters Add(Construct scope) => new(scope);

    private static CfnParameter Text(Construct scope, string id, string description, string? defaultValue = null, double? minLength = 1, double? maxLength = null) =>
        new(scope, id, new CfnParameterProps
        {
            Type = "String",
            Description = description,
            Default = defaultValue,
            MinLength = minLength,
            MaxLength = maxLength,
        });

    private static CfnParameter Number(Construct scope, string id, string description, double defaultValue, double minValue, double maxValue) =>
        new(scope, id, new CfnParameterProps
        {
            Type = "Number",
            Description = description,
            Default = defaultValue,
            MinValue = minValue,
            MaxValue = maxValue,
        });
}
