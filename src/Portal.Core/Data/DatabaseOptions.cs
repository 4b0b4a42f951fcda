using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Bound from <c>Database</c>; the connection string comes from <c>ConnectionStrings:Portal</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at startup. Default: on for SQLite, off for PostgreSQL (use <c>migrate</c>).</summary>
    public bool? MigrateOnStartup { get; set; }

    [Required]
    public string ConnectionString { get; set; } = "";

    public bool ShouldMigrateOnStartup => MigrateOnStartup ?? Provider == DatabaseProvider.Sqlite;
}
