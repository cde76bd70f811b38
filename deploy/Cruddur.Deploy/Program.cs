using Amazon.CDK;

namespace Cruddur.Deploy;

/// <summary>
/// Synthesizes <see cref="CruddurStack"/> into <c>cdk.out</c> (or the CDK CLI's <c>CDK_OUTDIR</c>).
/// <c>--write-template PATH</c> also copies the stack's CloudFormation template to PATH, which is how
/// <c>deploy/cruddur.template.json</c> is regenerated.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var templatePath = args is ["--write-template", { Length: > 0 } path] ? path : null;
        if (args.Length > 0 && templatePath is null)
        {
            Console.Error.WriteLine("Usage: dotnet run --project deploy/Cruddur.Deploy [-- --write-template PATH]");
            return 1;
        }

        // The jsii runtime copies the CDK's packages (about 66 MB) into TMPDIR and leaves them there: give it a folder
        // of its own and remove it afterwards.
        var scratch = Directory.CreateTempSubdirectory("cruddur-cdk-");
        System.Environment.SetEnvironmentVariable("TMPDIR", scratch.FullName);
        try
        {
            var (app, _) = CruddurApp.Create(System.Environment.GetEnvironmentVariable("CDK_OUTDIR") ?? "cdk.out");
            var assembly = app.Synth();
            if (templatePath is not null)
            {
                File.Copy(assembly.GetStackByName(CruddurApp.StackName).TemplateFullPath, templatePath, overwrite: true);
                Console.WriteLine($"Wrote {templatePath}");
            }

            return 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
