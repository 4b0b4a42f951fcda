using Microsoft.Extensions.Options;
using Npgsql;

namespace Portal.Core.Data;

/// <summary>
/// Serialises start-up work (migrations, operator roles and the first admin, recurring job registration) across
/// replicas that start at the same moment on one PostgreSQL database: a session advisory lock held on its own
/// connection until disposed. The others wait, then find the work done. On SQLite (one process per database file)
/// there is nothing to wait for; EF's own migration lock covers a second process.
/// </summary>
public sealed class StartupLock(IOptions<DatabaseOptions> options)
{
    /// <summary>The advisory lock's key: "Portal" in ASCII, fixed so every replica and version agrees.</summary>
    public const long AdvisoryKey = 0x506F7274616C;

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken = default)
    {
        if (options.Value.Provider != DatabaseProvider.Postgres) return Nothing.Instance;
        var connection = new NpgsqlConnection(options.Value.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", AdvisoryKey);
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", AdvisoryKey);
                await command.ExecuteNonQueryAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    private sealed class Nothing : IAsyncDisposable
    {
        public static readonly Nothing Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
