using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Data;

public abstract class MigrationsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Migrations_match_the_model_and_are_all_applied()
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes that no migration captures");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(factory.Provider == DatabaseProvider.Postgres ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite", db.Database.ProviderName);
    }

    [Fact]
    public async Task Audit_rows_cannot_be_updated_even_with_raw_sql()
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO audit_entries (id, at, actor, action, target_type, target_id, summary) VALUES ({0}, {1}, 'system', 'test.raw', 'x', 'y', 'z')",
            Guid.NewGuid(), factory.Provider == DatabaseProvider.Sqlite ? (object)0L : DateTimeOffset.UtcNow);
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_entries SET summary = 'changed' WHERE action = 'test.raw'"));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_entries WHERE action = 'test.raw'"));
        Assert.Equal(1, await db.AuditEntries.IgnoreTenantFilter().CountAsync(a => a.Action == "test.raw" && a.Summary == "z"));
    }
}

public sealed class MigrationsTestsOnPostgres(PostgresPortalFactory factory) : MigrationsTests<PostgresPortalFactory>(factory);

public sealed class MigrationsTestsOnSqlite(SqlitePortalFactory factory) : MigrationsTests<SqlitePortalFactory>(factory);
