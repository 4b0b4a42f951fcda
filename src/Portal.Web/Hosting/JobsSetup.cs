using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Portal.Core.Common.Jobs;
using Portal.Core.Data;

namespace Portal.Web.Hosting;

/// <summary>Hangfire: PostgreSQL storage in production (its locks make recurring jobs run once across replicas), in-memory on SQLite.</summary>
public static class JobsSetup
{
    public static WebApplicationBuilder AddPortalJobs(this WebApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetValue(DatabaseOptions.Section + ":Provider", DatabaseProvider.Sqlite);
        var connectionString = builder.Configuration.GetConnectionString("Portal");
        builder.Services.AddHangfire((sp, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseLogProvider(new TolerantHangfireLogProvider(sp.GetRequiredService<ILoggerFactory>()));
            if (provider == DatabaseProvider.Postgres)
                config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true });
            else
                config.UseInMemoryStorage(new InMemoryStorageOptions());
        });
        if (builder.Configuration.GetValue("Jobs:RunServer", true))
            builder.Services.AddHangfireServer(o => o.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        return builder;
    }

    public static void RegisterRecurringJobs(this WebApplication app) =>
        RecurringJobRegistry.Register(app.Services.GetRequiredService<IRecurringJobManager>());

    public static WebApplication MapPortalJobsDashboard(this WebApplication app)
    {
        app.MapHangfireDashboard("/admin/jobs", new DashboardOptions
        {
            Authorization = [new PlatformAdminDashboardFilter()],
            DashboardTitle = "Portal jobs",
            AppPath = "/admin",
        }).RequireAuthorization(Policies.PlatformAdmin);
        return app;
    }

    private sealed class PlatformAdminDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.IsInRole(Core.Features.Accounts.OperatorRoles.PlatformAdmin) && !Policies.IsOperatorWithout2fa(user);
        }
    }
}
