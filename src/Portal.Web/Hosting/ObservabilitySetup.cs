using System.Text.Json;
using OpenTelemetry.Metrics;
using Portal.Core.Data;

namespace Portal.Web.Hosting;

/// <summary>Liveness, readiness (database reachable, migrations applied) and Prometheus metrics.</summary>
public static class ObservabilitySetup
{
    public static WebApplicationBuilder AddPortalObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DatabaseMigrator>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddAspNetCoreInstrumentation()
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Portal")
            .AddPrometheusExporter());
        return builder;
    }

    public static WebApplication MapPortalHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "alive" })).AllowAnonymous();
        app.MapGet("/readyz", async (DatabaseMigrator migrator, CancellationToken ct) =>
        {
            try
            {
                var (ready, detail) = await migrator.CheckAsync(ct);
                return Results.Json(new { status = ready ? "ready" : "not_ready", database = detail }, statusCode: ready ? 200 : 503);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Results.Json(new { status = "not_ready", database = "error: " + ex.GetType().Name }, statusCode: 503);
            }
        }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.Metrics);
        return app;
    }
}
