using Cruddur.Messaging.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cruddur.Web.Problems;

/// <summary>
/// Every error the API answers: <c>application/problem+json</c> with an <c>errors</c> array of stable codes,
/// so clients branch on codes, not on wording.
/// </summary>
internal static class ApiProblems
{
    private static readonly HashSet<string> BadRequestCodes = [MessagingErrorCodes.CursorInvalid, MessagingErrorCodes.LimitOutOfRange, MessagingErrorCodes.MessageGroupUuidInvalid];

    public static ProblemHttpResult Create(int status, string code, string detail) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Detail = detail,
            Extensions = { ["errors"] = new[] { code } },
        });

    /// <summary>A refusal of the messaging core: not found is 404, a bad paging parameter 400, a broken message rule 422.</summary>
    public static ProblemHttpResult From(MessagingError error) => Create(
        error.Kind switch
        {
            MessagingErrorKind.NotFound => StatusCodes.Status404NotFound,
            _ when BadRequestCodes.Contains(error.Code) => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status422UnprocessableEntity,
        },
        error.Code,
        error.Detail);

    /// <summary>
    /// Gives the bodiless answers of routing (no such route, wrong method, a body type the endpoint does not accept)
    /// the same problem shape as everything else.
    /// </summary>
    public static Task WriteStatusCodePageAsync(StatusCodeContext context)
    {
        var (code, detail) = context.HttpContext.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => (ApiErrorCodes.NotFound, "There is nothing at this address."),
            StatusCodes.Status405MethodNotAllowed => (ApiErrorCodes.MethodNotAllowed, "This address does not take this method."),
            StatusCodes.Status415UnsupportedMediaType => (ApiErrorCodes.ContentTypeUnsupported, "Send the body as application/json."),
            _ => (ApiErrorCodes.RequestInvalid, "The request was refused."),
        };
        return WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, code, detail);
    }

    /// <summary>Writes a problem outside an endpoint (authentication, rate limiting, the exception handler).</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string detail) =>
        Create(status, code, detail).ExecuteAsync(context);
}
