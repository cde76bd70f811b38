using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Cruddur.Messaging.Errors;

namespace Cruddur.Messaging.Tests.Errors;

public sealed class StoreFailuresTests
{
    public static TheoryData<Exception> Unreachable() =>
    [
        new HttpRequestException("connection refused", new SocketException((int)SocketError.ConnectionRefused)),
        new TaskCanceledException("timed out", new TimeoutException()),
        new InvalidOperationException("wrapped", new IOException("reset")),
    ];

    public static TheoryData<Exception> TransientOnly() =>
    [
        new ProvisionedThroughputExceededException("throttled"),
        new AmazonDynamoDBException("failed", ErrorType.Receiver, "InternalFailure", "id", HttpStatusCode.ServiceUnavailable),
        new AmazonClientException("no answer"),
    ];

    public static TheoryData<Exception> Neither() =>
    [
        new ConditionalCheckFailedException("taken"),
        new ResourceNotFoundException("no table"),
        new InvalidOperationException("a bug"),
        new OperationCanceledException(),
    ];

    [Theory]
    [MemberData(nameof(Unreachable))]
    public void An_unreachable_store_is_unreachable_and_transient(Exception exception)
    {
        StoreFailures.IsUnreachable(exception).ShouldBeTrue();
        StoreFailures.IsTransient(exception).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(TransientOnly))]
    public void A_throttled_or_failing_store_is_transient_but_was_reached(Exception exception)
    {
        StoreFailures.IsUnreachable(exception).ShouldBeFalse();
        StoreFailures.IsTransient(exception).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Neither))]
    public void A_refusal_or_a_bug_is_not_a_store_failure(Exception exception)
    {
        StoreFailures.IsUnreachable(exception).ShouldBeFalse();
        StoreFailures.IsTransient(exception).ShouldBeFalse();
    }
}
