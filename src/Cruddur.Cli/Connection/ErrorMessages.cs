using System.Diagnostics.CodeAnalysis;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Cruddur.Cli.Connection;

/// <summary>A failure the user can act on; its message is the one line <c>cruddur</c> prints.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message) : base(message)
    {
    }

    public CliException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public CliException()
    {
    }
}

/// <summary>Turns exceptions into the single line printed for them.</summary>
internal static class ErrorMessages
{
    public static string Describe(Exception exception) => exception switch
    {
        CliException or Cruddur.Local.Launcher.LocalServiceException or InvalidOperationException => FirstLine(exception.Message),
        Microsoft.Extensions.Options.OptionsValidationException validation => FirstLine(validation.Message),
        ResourceNotFoundException => $"DynamoDB: {FirstLine(exception.Message)} (does the table exist? `cruddur ddb schema-load` creates it).",
        PostgresException { SqlState: PostgresErrorCodes.UndefinedTable } => $"PostgreSQL: {FirstLine(exception.Message)} (`cruddur db schema-load` creates the users table).",
        AmazonServiceException or AmazonClientException => $"DynamoDB: {FirstLine(exception.Message)}",
        NpgsqlException => $"PostgreSQL: {FirstLine(exception.Message)}",
        _ => $"{exception.GetType().Name}: {FirstLine(exception.Message)}",
    };

    /// <summary>True when the exception says a configured endpoint could not be reached; the message names it.</summary>
    public static bool TryDescribeConnectionFailure(Exception exception, IConfiguration configuration, [NotNullWhen(true)] out string? message)
    {
        var cause = Innermost(exception);
        message = null;
        if (!StoreFailures.IsUnreachable(exception))
        {
            return false;
        }

        var reason = FirstLine(cause.Message);
        if (IsPostgres(exception))
        {
            var connectionString = configuration[CruddurSettings.PostgresConnectionString];
            var where = connectionString is null ? "the local cluster" : Endpoint(connectionString);
            message = $"Cannot reach PostgreSQL at {where}: {reason}";
        }
        else
        {
            var where = configuration[CruddurSettings.DynamoDbServiceUrl] ?? configuration[CruddurSettings.DynamoDbRegion] ?? "the local DynamoDB";
            message = $"Cannot reach DynamoDB at {where}: {reason}";
        }

        return true;
    }

    private static bool IsPostgres(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException)
            {
                return true;
            }
        }

        return false;
    }

    private static string Endpoint(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}";
        }
        catch (ArgumentException)
        {
            return "the configured server";
        }
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
