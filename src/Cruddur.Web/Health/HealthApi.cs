using Amazon.DynamoDBv2;
using Cruddur.Messaging.Stream;
using Cruddur.Messaging.Table;
using Cruddur.Web.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Cruddur.Web.Health;

/// <summary>
/// <c>/api/health-check</c> (the original's liveness answer) and <c>/health/ready</c>, which pings DynamoDB (the table)
/// and PostgreSQL and answers 503 while either is unreachable; an unreachable Redis is Degraded (200): the instance
/// still serves, with live updates and the post limit per instance.
/// </summary>
internal static class HealthApi
{
    public static IServiceCollection AddReadinessChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DynamoDbReadiness>("dynamodb", timeout: TimeSpan.FromSeconds(3))
            .AddCheck<PostgresReadiness>("postgres", timeout: TimeSpan.FromSeconds(3))
            .AddCheck<RedisReadiness>("redis", timeout: TimeSpan.FromSeconds(3));
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health-check", () => TypedResults.Ok(new HealthCheckJson(true)))
            .WithTags("Health")
            .WithName("HealthCheck")
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready").AllowAnonymous();
        return app;
    }

    private sealed class DynamoDbReadiness(IAmazonDynamoDB dynamoDb, IOptions<MessagingOptions> options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await dynamoDb.DescribeTableAsync(options.Value.TableName, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("DynamoDB did not answer.");
            }
        }
    }

    private sealed class PostgresReadiness(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL did not answer.");
            }
        }
    }

    private sealed class RedisReadiness(IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetService<RedisConnection>() is not { } redis)
            {
                return HealthCheckResult.Healthy("Redis is not configured: live updates stay in this instance.");
            }

            try
            {
                await redis.Multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                return HealthCheckResult.Degraded("Redis did not answer: live updates and the post limit are per instance.");
            }
        }
    }
}
