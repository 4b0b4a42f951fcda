namespace Portal.Core.Common.Storage;

/// <summary>
/// Where uploaded files live, outside the web root, under random keys. Writes go through an
/// <see cref="IFileUpload"/> that becomes visible only when committed, so a refused upload leaves nothing behind.
/// </summary>
public interface IFileStore
{
    /// <summary>Starts a new file; it gets its random key when committed.</summary>
    Task<IFileUpload> BeginAsync(CancellationToken cancellationToken = default);

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
