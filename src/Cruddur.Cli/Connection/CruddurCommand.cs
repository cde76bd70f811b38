using Cruddur.Local.Launcher;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cruddur.Cli.Connection;

/// <summary>A command that runs against DynamoDB and/or PostgreSQL; turns failures to reach them into one clear line.</summary>
internal abstract class CruddurCommand<TSettings>(IAnsiConsole console) : AsyncCommand<TSettings>
    where TSettings : ConnectionSettings
{
    protected IAnsiConsole Console => console;

    /// <summary>The services this command uses; only those are started locally.</summary>
    protected abstract LocalServiceKinds Needs { get; }

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        // Status lines would break JSON that is piped on.
        var quiet = settings is JsonOutputSettings { Json: true };
        var configuration = CommandEnvironment.BuildConfiguration(settings);
        try
        {
            await using var environment = await CommandEnvironment.StartAsync(settings, Needs, quiet ? null : console, cancellationToken);
            return await ExecuteAsync(environment, settings, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException && ErrorMessages.TryDescribeConnectionFailure(exception, configuration, out var message))
        {
            throw new CliException(message, exception);
        }
    }

    protected abstract Task<int> ExecuteAsync(CommandEnvironment environment, TSettings settings, CancellationToken cancellationToken);

    /// <summary>Writes text as it is, without wrapping it to the console width (JSON, conversation lines).</summary>
    protected void WriteRaw(string text) => console.Profile.Out.Writer.WriteLine(text);
}
