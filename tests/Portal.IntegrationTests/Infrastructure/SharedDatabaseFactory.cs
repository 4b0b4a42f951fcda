using Microsoft.AspNetCore.Hosting;
using Portal.Core.Data;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// A host on a database the test made (so that several hosts can share it, like replicas), with extra settings and
/// optionally another environment.
/// </summary>
public sealed class SharedDatabaseFactory(DatabaseProvider provider, string connectionString, IReadOnlyDictionary<string, string>? settings = null, string? environment = null) : PortalFactory
{
    public override DatabaseProvider Provider => provider;

    /// <summary>A new empty database of <paramref name="provider"/> for hosts to share.</summary>
    public static async Task<string> NewDatabaseAsync(DatabaseProvider provider, string prefix)
    {
        if (provider == DatabaseProvider.Postgres) return await (await PostgresServer.GetAsync()).CreateDatabaseAsync(prefix);
        var directory = Path.Combine(Path.GetTempPath(), "portal-sqlite");
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, Guid.NewGuid().ToString("N") + ".db")}";
    }

    protected override Task<string> CreateDatabaseAsync() => Task.FromResult(connectionString);

    protected override void Configure(IWebHostBuilder builder)
    {
        if (environment is not null) builder.UseEnvironment(environment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
    }
}
