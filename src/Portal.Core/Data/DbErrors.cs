using Microsoft.Data.Sqlite;
using Npgsql;

namespace Portal.Core.Data;

/// <summary>What a failed write means, across both providers.</summary>
public static class DbErrors
{
    /// <summary>SQLite's extended result code for a UNIQUE constraint (SQLITE_CONSTRAINT_UNIQUE).</summary>
    public const int SqliteConstraintUnique = 2067;

    /// <summary>SQLite's extended result code for a PRIMARY KEY constraint (SQLITE_CONSTRAINT_PRIMARYKEY).</summary>
    public const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>
    /// A unique index or primary key refused the write: PostgreSQL SqlState 23505, SQLite extended codes 2067 and 1555.
    /// Other constraint failures (CHECK, foreign key, NOT NULL) are not "already taken"; they are bugs and stay errors.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }) return true;
            if (e is SqliteException { SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey }) return true;
        }

        return false;
    }
}
