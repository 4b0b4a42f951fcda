using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Common.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The file store every document goes through, chosen by <c>Storage:Provider</c> (default: Database on PostgreSQL,
    /// Local on SQLite), and <see cref="FileStoreMigration"/> for <c>storage migrate</c>.
    /// </summary>
    public static IServiceCollection AddFileStorage(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new FileStores(sp, contentRoot));
        services.AddSingleton<IFileStore>(sp => sp.GetRequiredService<FileStores>().Configured);
        services.AddSingleton<FileStoreMigration>();
        return services;
    }
}

/// <summary>Every provider's store, built on demand: the configured one serves, the others are there for <c>storage migrate</c>.</summary>
public sealed class FileStores(IServiceProvider services, string contentRoot)
{
    private readonly Lazy<LocalFileStore> _local = new(() =>
    {
        var path = services.GetRequiredService<IOptions<StorageOptions>>().Value.Path;
        return new LocalFileStore(System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(contentRoot, path));
    });

    private readonly Lazy<DatabaseFileStore> _database = new(() =>
        new DatabaseFileStore(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<TimeProvider>()));

    /// <summary>The provider <c>Storage:Provider</c> names, or the database's default.</summary>
    public StorageProvider ConfiguredProvider =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider
        ?? (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres ? StorageProvider.Database : StorageProvider.Local);

    public IMigratableFileStore Configured => Get(ConfiguredProvider);

    public IMigratableFileStore Get(StorageProvider provider) => provider switch
    {
        StorageProvider.Local => _local.Value,
        StorageProvider.Database => _database.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
