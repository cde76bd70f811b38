using Amazon.DynamoDBv2;
using Cruddur.Messaging.Table;
using Cruddur.Web.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cruddur.Web.Health;

/// <summary>
/// <c>/api/health-check</c> (the original's liveness answer) and <c>/health/ready</c>, which pings DynamoDB (the table)
/// and PostgreSQL and answers 503 while either is unreachable.
/// </summary>
internal static class HealthApi
{
    public static IServiceCollection AddReadinessChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DynamoDbReadiness>("dynamodb", timeout: TimeSpan.FromSeconds(3))
            .AddCheck<PostgresReadiness>("postgres", timeout: TimeSpan.FromSeconds(3));
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
}
