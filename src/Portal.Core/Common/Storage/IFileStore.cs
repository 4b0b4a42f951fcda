namespace Portal.Core.Common.Storage;

/// <summary>
/// Where uploaded files live, outside the web root, under random keys. Writes go through an
/// <see cref="IFileUpload"/> that becomes visible only when committed, so a refused upload leaves nothing behind.
/// </summary>
public interface IFileStore
{
    /// <summary>Starts a new file; it gets its random key when committed.</summary>
    Task<IFileUpload> BeginAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a new file written within <paramref name="db"/>'s open transaction when the store is the database, so the file
    /// exists only if that transaction commits (and SQLite's single writer is not waited for by itself); other stores ignore it.
    /// </summary>
    Task<IFileUpload> BeginWithinAsync(Data.PortalDbContext db, CancellationToken cancellationToken = default) => BeginAsync(cancellationToken);

    /// <summary>Opens a committed file for reading, or null when there is none under <paramref name="key"/>.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>A file being written. Disposing it without <see cref="CommitAsync"/> deletes what was written.</summary>
public interface IFileUpload : IAsyncDisposable
{
    /// <summary>Where to write the content.</summary>
    Stream Content { get; }

    /// <summary>Makes the file visible under a new random key ending in <paramref name="extension"/> (".png") and returns the key.</summary>
    Task<string> CommitAsync(string extension, CancellationToken cancellationToken = default);
}

/// <summary>What <c>storage migrate</c> needs of a store besides <see cref="IFileStore"/>: its keys, a file's facts, and writing under a given key.</summary>
public interface IMigratableFileStore : IFileStore
{
    /// <summary>Every committed key, each once.</summary>
    IAsyncEnumerable<string> ListKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Length and SHA-256 of the file under <paramref name="key"/>, or null when there is none.</summary>
    Task<StoredFileFacts?> DescribeAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>, which must not exist yet, and returns what was stored.</summary>
    Task<StoredFileFacts> ImportAsync(string key, Stream content, CancellationToken cancellationToken = default);
}

/// <summary>Length and lower-case hex SHA-256 of a stored file.</summary>
public sealed record StoredFileFacts(long Length, string Sha256);

/// <summary>A stored file whose content does not match the length or SHA-256 recorded when it was written.</summary>
public sealed class StoredFileCorruptException(string key, StoredFileFacts expected, StoredFileFacts actual)
    : IOException($"Stored file {key} is corrupt: expected {expected.Length} bytes with SHA-256 {expected.Sha256}, read {actual.Length} bytes with SHA-256 {actual.Sha256}.")
{
    public string Key { get; } = key;
}
