using Cruddur.Messaging.Hosting;
using Cruddur.Messaging.Idempotency;
using Cruddur.Messaging.Stream;
using Cruddur.Web.Authentication;
using Cruddur.Web.DevSignIn;
using Cruddur.Web.Events;
using Cruddur.Web.Hardening;
using Cruddur.Web.Health;
using Cruddur.Web.Hosting;
using Cruddur.Web.Json;
using Cruddur.Web.LocalRun;
using Cruddur.Web.MessageGroups;
using Cruddur.Web.Messages;
using Cruddur.Web.Problems;
using Cruddur.Web.RateLimiting;
using Cruddur.Web.Telemetry;
using Cruddur.Web.Ui;
using Cruddur.Web.Users;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// Development only: local DynamoDB and PostgreSQL for whatever the configuration leaves unset; stopped when the app stops.
await using var localServices = await builder.StartLocalServicesInDevelopmentAsync();

// The stores (their settings required at start) and the messaging core (patterns A–D and idempotent sends).
builder.Services.AddStoreSettings();
builder.Services.AddCruddurDataSources(builder.Configuration);
builder.Services.AddCruddurMessaging();

// With ConnectionStrings:Redis: live updates from every instance's stream handler (and the Lambda) reach this one's listeners.
builder.Services.AddMessageGroupChangeBackplane(builder.Configuration);
builder.Services.AddEventStreams();

// Schemas and demo data for dotnet run, awaited before the server listens; in Development, pattern E on DynamoDB Local's stream.
builder.AddLocalRun();

// Source-generated JSON and one problem+json answer for every error.
builder.Services.AddApiJson();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<UnexpectedExceptionHandler>();

// Cognito access tokens, or Development's local sign-in; the token's user is cached briefly.
builder.AddCruddurAuthentication();

// No Server header, nosniff on every answer, CORS for the configured origins only (Cors:AllowedOrigins).
builder.AddResponseHardening();

// Traces and metrics of requests, the core's DynamoDB calls and the runtime; exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
builder.AddCruddurTelemetry();

// Per-user limit on sending, readiness of both stores, and the API description.
builder.Services.AddPostRateLimit();
builder.Services.AddReadinessChecks();

// Anonymous routes that cost store calls: a per-address limit, and readiness answered from a result at most 1 s old.
builder.Services.AddPublicRateLimit();
builder.Services.AddReadinessCache();
builder.Services.AddOpenApi();

var app = builder.Build();

// Headers first, so every answer gets them; then exceptions and bodiless statuses become problem+json too.
app.UseResponseHardening();
app.UseExceptionHandler();
app.UseStatusCodePages(ApiProblems.WriteStatusCodePageAsync);

// The web UI's files at / (before authentication: they are public), with their security headers.
app.UseCruddurUi();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

// The original Cruddur routes under /api; the dev sign-in only where this instance issues local tokens.
app.MapHealth();
app.MapMessageGroups();
app.MapMessages();
app.MapUsers();
app.MapDevSignIn();

// What the web UI needs besides the original routes: its sign-in settings, the signed-in user, live changes.
app.MapUi();
app.MapEvents();

// The OpenAPI document and the Scalar reference page, in Development only.
if (app.Environment.IsDevelopment())
{
    app.MapOpenApi();
    app.MapScalarApiReference();
}

// dotnet run prints where to sign in; a setting missing or refused at start is one line naming it and exit code 1.
app.PrintSignInHelpWhenStarted();
return await app.RunOrExplainAsync();

/// <summary>The web app's entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
