using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Core.Data;

public static class DataServiceCollectionExtensions
{
    public const string SqliteMigrationsAssembly = "Portal.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Portal.Migrations.Postgres";
    public const string DefaultSqliteConnection = "Data Source=data/portal.db";

    /// <summary>
    /// The database: <c>Database:Provider</c> = Sqlite (default, <c>data/portal.db</c>) or Postgres
    /// (<c>ConnectionStrings:Portal</c>). One context per operation through <see cref="IDbContextFactory{TContext}"/>.
    /// </summary>
    public static IServiceCollection AddPortalData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .Configure(o => o.ConnectionString = ResolveConnectionString(o.Provider, configuration.GetConnectionString("Portal"), contentRoot))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TenancyInterceptor>();
        services.AddSingleton<StartupLock>();
        services.AddSingleton<PlatformSecrets>();
        services.AddPlatformSettingsStore();
        services.AddDbContextFactory<PortalDbContext>((sp, builder) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            Configure(builder, options.Provider, options.ConnectionString);
            builder.AddInterceptors(sp.GetRequiredService<TenancyInterceptor>());
            // Features' own interceptors (e.g. KYC's encryption of 身份证 numbers) register as IInterceptor.
            builder.AddInterceptors(sp.GetServices<IInterceptor>());
        }, ServiceLifetime.Scoped);
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres)
            builder.UseNpgsql(connectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
        else
            builder.UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly));
        return builder.UseSnakeCaseNamingConvention();
    }

    private static string ResolveConnectionString(DatabaseProvider provider, string? configured, string contentRoot)
    {
        if (provider == DatabaseProvider.Postgres)
            return configured ?? throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Portal is not set.");

        var builder = new SqliteConnectionStringBuilder(configured ?? DefaultSqliteConnection);
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, 30);
        builder.Pooling = true;
        return builder.ToString();
    }
}
