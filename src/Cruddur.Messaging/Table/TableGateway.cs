using System.Diagnostics;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Cruddur.Messaging.Diagnostics;
using Cruddur.Messaging.Table.Lean;
using Microsoft.Extensions.Logging;

namespace Cruddur.Messaging.Table;

/// <summary>
/// The one path to the messages table: every item call of the core and of the local tooling runs in a span, asks for
/// consumed capacity (INDEXES), records it under its operation name (<c>A.query</c>, <c>E.put_row</c>, …), logs it at
/// debug and logs a refused or failed call. Hosts resolve it from <c>AddCruddurMessaging()</c> and hand it to the local
/// tooling; its calls are internal to the core.
/// </summary>
public sealed class TableGateway
{
    /// <summary>BatchWriteItem takes at most 25 items per call.</summary>
    internal const int MaxBatchWriteItems = 25;

    private const int MaxBatchWriteAttempts = 12;

    private readonly IAmazonDynamoDB dynamoDb;
    private readonly DynamoDbJsonClient? lean;
    private readonly ConsumedCapacityRecorder recorder;
    private readonly ILogger logger;

    // lean: the path for queries and GetItem (DynamoDbJsonClient); the SDK's when null.
    internal TableGateway(IAmazonDynamoDB dynamoDb, DynamoDbJsonClient? lean, string tableName, ConsumedCapacityRecorder recorder, ILogger<TableGateway> logger)
    {
        this.dynamoDb = dynamoDb;
        this.lean = lean;
        TableName = tableName;
        this.recorder = recorder;
        this.logger = logger;
    }

    /// <summary>The messages table every call goes to.</summary>
    internal string TableName { get; }

    internal Task<GetItemResponse> GetItemAsync(string operation, GetItemRequest request, CancellationToken cancellationToken)
    {
        request.TableName = TableName;
        request.ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES;
        return lean is not null && DynamoDbJson.CanWrite(request)
            ? CallAsync(operation, null, CapacityKind.Read, request, lean.GetItemAsync, static r => One(r.ConsumedCapacity), cancellationToken)
            : CallAsync(operation, null, CapacityKind.Read, request, dynamoDb.GetItemAsync, static r => One(r.ConsumedCapacity), cancellationToken);
    }

    /// <summary>A put; a failed condition is recorded under <paramref name="refusedOperation"/> when given.</summary>
    internal Task<PutItemResponse> PutItemAsync(string operation, PutItemRequest request, CancellationToken cancellationToken, string? refusedOperation = null)
    {
        request.TableName = TableName;
        request.ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES;
        return CallAsync(operation, refusedOperation, CapacityKind.Write, request, dynamoDb.PutItemAsync, static r => One(r.ConsumedCapacity), cancellationToken);
    }

    /// <summary>A delete; a failed condition is recorded under <paramref name="refusedOperation"/> when given.</summary>
    internal Task<DeleteItemResponse> DeleteItemAsync(string operation, DeleteItemRequest request, CancellationToken cancellationToken, string? refusedOperation = null)
    {
        request.TableName = TableName;
        request.ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES;
        return CallAsync(operation, refusedOperation, CapacityKind.Write, request, dynamoDb.DeleteItemAsync, static r => One(r.ConsumedCapacity), cancellationToken);
    }

    /// <summary>An update; a failed condition is recorded under <paramref name="refusedOperation"/> when given.</summary>
    internal Task<UpdateItemResponse> UpdateItemAsync(string operation, UpdateItemRequest request, CancellationToken cancellationToken, string? refusedOperation = null)
    {
        request.TableName = TableName;
        request.ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES;
        return CallAsync(operation, refusedOperation, CapacityKind.Write, request, dynamoDb.UpdateItemAsync, static r => One(r.ConsumedCapacity), cancellationToken);
    }

    /// <summary>One page of a query, on the lean path when it can write the request.</summary>
    internal Task<QueryResponse> QueryAsync(string operation, QueryRequest request, CancellationToken cancellationToken)
    {
        request.TableName = TableName;
        request.ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES;
        return lean is not null && DynamoDbJson.CanWrite(request)
            ? CallAsync(operation, null, CapacityKind.Read, request, lean.QueryAsync, static r => One(r.ConsumedCapacity), cancellationToken)
            : CallAsync(operation, null, CapacityKind.Read, request, dynamoDb.QueryAsync, static r => One(r.ConsumedCapacity), cancellationToken);
    }

    /// <summary>
    /// One page of a query as items to read (the hot reads, A and B): on the lean path straight from DynamoDB's JSON,
    /// without the SDK's item dictionaries; on the SDK's path its items as they are.
    /// </summary>
    internal async Task<ItemsPage> QueryItemsAsync(string operation, QueryRequest request, CancellationToken cancellationToken)
    {
        request.TableName = TableName;
        request.ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES;
        if (lean is not null && DynamoDbJson.CanWrite(request))
        {
            return await CallAsync(operation, null, CapacityKind.Read, request, lean.QueryItemsAsync, static r => One(r.ConsumedCapacity), cancellationToken);
        }

        var response = await QueryAsync(operation, request, cancellationToken);
        return new ItemsPage([.. (response.Items ?? []).Select(item => (IItemAttributes)new SdkItem(item))], response.LastEvaluatedKey, response.ConsumedCapacity);
    }

    /// <summary>The pages of <see cref="QueryItemsAsync"/> from <see cref="QueryRequest.ExclusiveStartKey"/> on, as <see cref="QueryPagesAsync"/> walks them.</summary>
    internal async IAsyncEnumerable<ItemsPage> QueryItemPagesAsync(string operation, QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await QueryItemsAsync(operation, request, cancellationToken);
            yield return page;
            if (page.LastEvaluatedKey is not { Count: > 0 } next)
            {
                yield break;
            }

            request.ExclusiveStartKey = next;
        }
    }

    /// <summary>
    /// The pages of a query from <see cref="QueryRequest.ExclusiveStartKey"/> on, each page one <see cref="QueryAsync"/>
    /// (the SDK's paginator cannot drive the lean path; this is what it does: the next page starts at the last one's
    /// <c>LastEvaluatedKey</c>, and there is none after a page without one). Stop enumerating to stop reading.
    /// </summary>
    internal async IAsyncEnumerable<QueryResponse> QueryPagesAsync(string operation, QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await QueryAsync(operation, request, cancellationToken);
            yield return page;
            if (page.LastEvaluatedKey is not { Count: > 0 } next)
            {
                yield break;
            }

            request.ExclusiveStartKey = next;
        }
    }

    /// <summary>
    /// Every item of the table, page by page (<c>cruddur ddb scan</c>, the one Scan the design allows), through the SDK's
    /// paginator and this path's span and capacity record (<c>scan</c>).
    /// </summary>
    public async Task<List<Dictionary<string, AttributeValue>>> ScanAllAsync(int pageSize, CancellationToken cancellationToken)
    {
        var request = new ScanRequest { TableName = TableName, Limit = pageSize, ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES };
        var items = new List<Dictionary<string, AttributeValue>>();
        await foreach (var page in PagesAsync("scan", dynamoDb.Paginators.Scan(request).Responses, static r => r.ConsumedCapacity, static r => r.LastEvaluatedKey, cancellationToken))
        {
            items.AddRange(page.Items ?? []);
        }

        return items;
    }

    /// <summary>Every item a query matches, page after page.</summary>
    internal async Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(string operation, QueryRequest request, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        await foreach (var page in QueryPagesAsync(operation, request, cancellationToken))
        {
            items.AddRange(page.Items ?? []);
        }

        return items;
    }

    /// <summary>A transaction; puts, deletes and condition checks without a table name go to the messages table.</summary>
    internal Task<TransactWriteItemsResponse> TransactWriteItemsAsync(string operation, TransactWriteItemsRequest request, CancellationToken cancellationToken)
    {
        foreach (var item in request.TransactItems ?? [])
        {
            if (item.Put is { } put)
            {
                put.TableName ??= TableName;
            }

            if (item.Delete is { } delete)
            {
                delete.TableName ??= TableName;
            }

            if (item.ConditionCheck is { } check)
            {
                check.TableName ??= TableName;
            }

            if (item.Update is { } update)
            {
                update.TableName ??= TableName;
            }
        }

        request.ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES;
        return CallAsync(operation, null, CapacityKind.Write, request, dynamoDb.TransactWriteItemsAsync, static r => r.ConsumedCapacity, cancellationToken);
    }

    /// <summary>
    /// Puts up to <see cref="MaxBatchWriteItems"/> items in one BatchWriteItem, then retries what DynamoDB leaves
    /// unprocessed with exponential back-off; each call counts under <paramref name="operation"/>.
    /// </summary>
    internal async Task BatchPutAsync(string operation, IReadOnlyCollection<Dictionary<string, AttributeValue>> items, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(items.Count, MaxBatchWriteItems, nameof(items));
        List<WriteRequest> pending = [.. items.Select(item => new WriteRequest { PutRequest = new PutRequest { Item = item } })];
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            if (attempt > MaxBatchWriteAttempts)
            {
                throw new InvalidOperationException($"BatchWriteItem left {pending.Count} items unprocessed after {MaxBatchWriteAttempts} attempts.");
            }

            if (attempt > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 25 << attempt)), cancellationToken);
            }

            var request = new BatchWriteItemRequest
            {
                RequestItems = new() { [TableName] = pending },
                ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
            };
            var response = await CallAsync(operation, null, CapacityKind.Write, request, dynamoDb.BatchWriteItemAsync, static r => r.ConsumedCapacity, cancellationToken);
            pending = response.UnprocessedItems is { } unprocessed && unprocessed.TryGetValue(TableName, out var left) ? left : [];
        }
    }

    /// <summary>Walks a paginator's responses, each page one call of <paramref name="operation"/> through <see cref="CallAsync"/>.</summary>
    private async IAsyncEnumerable<TResponse> PagesAsync<TResponse>(
        string operation,
        IAsyncEnumerable<TResponse> responses,
        Func<TResponse, ConsumedCapacity?> consumed,
        Func<TResponse, Dictionary<string, AttributeValue>?> lastEvaluatedKey,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TResponse : class
    {
        await using var pages = responses.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var page = await CallAsync(
                operation,
                null,
                CapacityKind.Read,
                pages,
                static async (p, _) => await p.MoveNextAsync() ? p.Current : null,
                response => One(response is null ? null : consumed(response)),
                cancellationToken);
            if (page is null)
            {
                yield break;
            }

            yield return page;

            // The paginator would end without a call; ending here keeps that non-call out of the spans.
            if (lastEvaluatedKey(page) is not { Count: > 0 })
            {
                yield break;
            }
        }
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        string operation,
        string? refusedOperation,
        CapacityKind kind,
        TRequest request,
        Func<TRequest, CancellationToken, Task<TResponse>> call,
        Func<TResponse, IReadOnlyList<ConsumedCapacity>?> consumed,
        CancellationToken cancellationToken)
    {
        using var activity = MessagingTelemetry.Source.StartActivity("DynamoDB " + operation, ActivityKind.Client);
        activity?.SetTag("db.system.name", "aws.dynamodb");
        activity?.SetTag("aws.dynamodb.table_names", TableName);
        activity?.SetTag("cruddur.operation", operation);
        TResponse response;
        try
        {
            response = await call(request, cancellationToken);
        }
        catch (AmazonServiceException exception)
        {
            // A refused call (a failed condition, a cancelled transaction) still counts as a call.
            var recordedAs = exception is ConditionalCheckFailedException && refusedOperation is not null ? refusedOperation : operation;
            recorder.Record(recordedAs, null, kind);
            activity?.SetStatus(ActivityStatusCode.Error, exception.ErrorCode);
            logger.DynamoDbCallFailed(recordedAs, TableName, exception.ErrorCode);
            throw;
        }

        var capacity = consumed(response);
        recorder.Record(operation, capacity, kind);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.DynamoDbCall(operation, TableName, kind, capacity?.Sum(c => c.CapacityUnits ?? 0) ?? 0);
        }

        return response;
    }

    private static IReadOnlyList<ConsumedCapacity>? One(ConsumedCapacity? capacity) => capacity is null ? null : [capacity];
}
