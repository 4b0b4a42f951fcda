using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Data;

/// <summary>
/// Only a unique index or primary key is "already taken": a CHECK, foreign key or NOT NULL refusal is a bug and must
/// surface as one, not as a friendly conflict.
/// </summary>
public abstract class DbErrorsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Only_unique_and_primary_key_violations_count_as_unique_violations()
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE db_errors_parent (id integer PRIMARY KEY)");
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TABLE db_errors_probe (id integer PRIMARY KEY, code text UNIQUE, amount integer NOT NULL CHECK (amount > 0), parent_id integer REFERENCES db_errors_parent (id))");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO db_errors_parent (id) VALUES (1)");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO db_errors_probe (id, code, amount, parent_id) VALUES (1, 'a', 1, 1)");

        Assert.True(await RefusalIsUniqueAsync(db, "INSERT INTO db_errors_probe (id, code, amount) VALUES (2, 'a', 1)"), "unique index");
        Assert.True(await RefusalIsUniqueAsync(db, "INSERT INTO db_errors_probe (id, code, amount) VALUES (1, 'b', 1)"), "primary key");
        Assert.False(await RefusalIsUniqueAsync(db, "INSERT INTO db_errors_probe (id, code, amount) VALUES (3, 'c', 0)"), "CHECK");
        Assert.False(await RefusalIsUniqueAsync(db, "INSERT INTO db_errors_probe (id, code, amount, parent_id) VALUES (4, 'd', 1, 99)"), "foreign key");
        Assert.False(await RefusalIsUniqueAsync(db, "INSERT INTO db_errors_probe (id, code) VALUES (5, 'e')"), "NOT NULL");
    }

    private static async Task<bool> RefusalIsUniqueAsync(PortalDbContext db, string sql)
    {
        var refusal = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(sql));
        return DbErrors.IsUniqueViolation(refusal);
    }
}

public sealed class DbErrorsTestsOnPostgres(PostgresPortalFactory factory) : DbErrorsTests<PostgresPortalFactory>(factory);

public sealed class DbErrorsTestsOnSqlite(SqlitePortalFactory factory) : DbErrorsTests<SqlitePortalFactory>(factory);
