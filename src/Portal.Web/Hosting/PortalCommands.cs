using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Demo;

namespace Portal.Web.Hosting;

/// <summary>
/// Command-line verbs: <c>migrate</c> applies migrations and exits; <c>seed-demo</c> creates the demo tenant
/// (idempotent) and prints its credentials; <c>storage migrate --from Local --to Database</c> copies every stored file from
/// one provider to the other (idempotent; exit code 1 when a file differs or is corrupt). Without a verb the portal serves.
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
            case "storage":
                Environment.ExitCode = await RunStorageAsync(app, args);
                return true;
            default:
                return false;
        }
    }

    private static async Task<int> RunStorageAsync(WebApplication app, string[] args)
    {
        var words = args.Where(a => a != "storage").ToList();
        string? Option(string name) => words.IndexOf(name) is var i and >= 0 && i + 1 < words.Count ? words[i + 1] : null;
        if (words.FirstOrDefault() != "migrate"
            || !Enum.TryParse<StorageProvider>(Option("--from"), ignoreCase: true, out var from)
            || !Enum.TryParse<StorageProvider>(Option("--to"), ignoreCase: true, out var to)
            || from == to)
        {
            Console.Error.WriteLine("Usage: storage migrate --from Local|Database --to Database|Local");
            return 2;
        }

        var report = await app.Services.GetRequiredService<FileStoreMigration>().RunAsync(from, to);
        Console.WriteLine($"Copied {report.Copied} file(s) from {from} to {to}; {report.AlreadyPresent} already there.");
        foreach (var key in report.Mismatched) Console.Error.WriteLine($"Differs, left as it is: {key}");
        foreach (var key in report.Corrupt) Console.Error.WriteLine($"Corrupt in {from}, not copied: {key}");
        return report.Succeeded ? 0 : 1;
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
