using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Demo;

namespace Portal.Web.Hosting;

/// <summary>
/// Command-line verbs: <c>migrate</c> applies migrations and exits; <c>seed-demo</c> creates the demo tenant
/// (idempotent) and prints its credentials. Without a verb the portal serves.
/// </summary>
public static class PortalCommands
{
    public static async Task<bool> TryRunAsync(WebApplication app, string[] args)
    {
        var verb = args.FirstOrDefault(a => !a.StartsWith('-'));
        switch (verb)
        {
            case "migrate":
                await using (var scope = app.Services.CreateAsyncScope())
                await using (await scope.ServiceProvider.GetRequiredService<StartupLock>().AcquireAsync())
                {
                    await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
                }

                Console.WriteLine("Migrations applied.");
                return true;
            case "seed-demo":
                await app.PreparePortalAsync(registerJobs: false);
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    var seeded = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
                    foreach (var line in seeded) Console.WriteLine(line);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Startup work before serving: migrations (embedded default), the features' <see cref="IStartupTask"/>s, operator
    /// roles and first admin, recurring jobs;
    /// under <see cref="StartupLock"/>, so replicas starting together take turns and the later ones find it done.
    /// </summary>
    public static async Task PreparePortalAsync(this WebApplication app, bool registerJobs = true)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var startup = await scope.ServiceProvider.GetRequiredService<StartupLock>().AcquireAsync();
        var options = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        if (options.ShouldMigrateOnStartup) await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        foreach (var task in scope.ServiceProvider.GetServices<IStartupTask>()) await task.RunAsync(CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<BootstrapPlatformAdmin>().RunAsync();
        if (registerJobs) app.RegisterRecurringJobs();
    }
}
