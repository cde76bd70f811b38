using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Npgsql;

namespace Cruddur.Messaging.Errors;

/// <summary>
/// The one classifier of store failures that are worth retrying later: DynamoDB or PostgreSQL unreachable, throttled,
/// failing on its side or not answering in time. The web app answers them 503, the CLI names the endpoint it could not
/// reach, the local stream processor backs off and tries again.
/// </summary>
public static class StoreFailures
{
    /// <summary>True when the exception, or one inside it, says a store could not be reached or did not answer in time.</summary>
    public static bool IsUnreachable(Exception exception) => AnyInChain(exception, static current => current
        is HttpRequestException
        or IOException
        or SocketException
        or TimeoutException);

    /// <summary>
    /// True when the exception, or one inside it, is a transient store failure: <see cref="IsUnreachable"/>, DynamoDB
    /// throttling or a 5xx, an SDK client-side failure, or a PostgreSQL error that Npgsql marks transient.
    /// </summary>
    public static bool IsTransient(Exception exception) => IsUnreachable(exception) || AnyInChain(exception, static current => current
        is NpgsqlException { IsTransient: true }
        or InternalServerErrorException
        or ProvisionedThroughputExceededException
        or RequestLimitExceededException
        or AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError }
        || (current is AmazonClientException && current is not AmazonServiceException));

    /// <summary>A store failure as one log line's reason: the exception's type and message, no stack trace.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"{exception.GetType().Name}: {exception.Message}";
    }

    private static bool AnyInChain(Exception exception, Func<Exception, bool> test)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (test(current))
            {
                return true;
            }
        }

        return false;
    }
}
