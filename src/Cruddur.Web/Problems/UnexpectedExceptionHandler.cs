using Cruddur.Messaging.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace Cruddur.Web.Problems;

/// <summary>
/// The one exception handler: an unreachable DynamoDB or PostgreSQL is a 503 the client may retry, anything else
/// a bare 500. Neither answer carries a message, type or stack trace of the exception.
/// </summary>
internal sealed partial class UnexpectedExceptionHandler(ILogger<UnexpectedExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        if (exception is BadHttpRequestException badRequest)
        {
            var code = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? ApiErrorCodes.BodyTooLarge : ApiErrorCodes.RequestInvalid;
            await ApiProblems.WriteAsync(httpContext, badRequest.StatusCode, code, "The request could not be read.");
            return true;
        }

        if (IsStoreUnavailable(exception))
        {
            LogStoreUnavailable(logger, exception.GetType().Name, exception.Message);
            httpContext.Response.Headers.RetryAfter = "1";
            await ApiProblems.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, ApiErrorCodes.ServiceUnavailable, "A data store is unreachable; try again shortly.");
            return true;
        }

        LogUnexpected(logger, exception);
        await ApiProblems.WriteAsync(httpContext, StatusCodes.Status500InternalServerError, ApiErrorCodes.InternalError, "Something went wrong on our side.");
        return true;
    }

    /// <summary>True when the exception (or one inside it) says a store could not be reached or did not answer in time.</summary>
    internal static bool IsStoreUnavailable(Exception exception) => StoreFailures.IsTransient(exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A data store is unreachable ({ExceptionType}: {ExceptionMessage}); answering 503.")]
    private static partial void LogStoreUnavailable(ILogger logger, string exceptionType, string exceptionMessage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected exception; answering 500.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
