using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Portal.Core.Common.Storage;

/// <summary>
/// <see cref="IFileStore"/> on a local directory. A file is written as <c>.incoming/&lt;name&gt;.part</c> and moved into
/// place on commit (under a new random key, see <see cref="FileKeys"/>).
/// </summary>
public sealed class LocalFileStore : IMigratableFileStore
{
    private const string Incoming = ".incoming";

    private readonly string _root;

    public LocalFileStore(string root)
    {
        _root = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(System.IO.Path.Combine(_root, Incoming));
    }

    public string Root => _root;

    public Task<IFileUpload> BeginAsync(CancellationToken cancellationToken = default) => Task.FromResult<IFileUpload>(Begin(key: null));

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!FileKeys.IsKey(key)) return Task.FromResult<Stream?>(null);
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.FromResult<Stream?>(null);
        return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, useAsync: true));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        if (FileKeys.IsKey(key)) File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<string> ListKeysAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var path in Directory.EnumerateFiles(_root).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = System.IO.Path.GetFileName(path);
            if (FileKeys.IsKey(key)) yield return key;
        }

        await Task.CompletedTask;
    }

    public async Task<StoredFileFacts?> DescribeAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var content = await OpenReadAsync(key, cancellationToken);
        if (content is null) return null;
        using var sha = SHA256.Create();
        var hash = await sha.ComputeHashAsync(content, cancellationToken);
        return new StoredFileFacts(content.Length, Convert.ToHexStringLower(hash));
    }

    public async Task<StoredFileFacts> ImportAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        if (!FileKeys.IsKey(key)) throw new ArgumentException("Not a file store key.", nameof(key));
        await using var upload = Begin(key);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81_920];
        long length = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await upload.Content.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            length += read;
        }

        await upload.CommitAsync(FileKeys.ExtensionOf(key), cancellationToken);
        return new StoredFileFacts(length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private Upload Begin(string? key)
    {
        var temporary = System.IO.Path.Combine(_root, Incoming, FileKeys.NewName() + ".part");
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, useAsync: true);
        return new Upload(this, stream, temporary, key);
    }

    private string PathOf(string key) => System.IO.Path.Combine(_root, key);

    private sealed class Upload(LocalFileStore store, FileStream stream, string temporary, string? fixedKey) : IFileUpload
    {
        private bool _committed;

        public Stream Content => stream;

        public async Task<string> CommitAsync(string extension, CancellationToken cancellationToken = default)
        {
            if (!FileKeys.IsExtension(extension)) throw new ArgumentException("Expected an extension like \".png\".", nameof(extension));
            await stream.FlushAsync(cancellationToken);
            await stream.DisposeAsync();
            var key = fixedKey ?? FileKeys.NewKey(extension);
            File.Move(temporary, store.PathOf(key), overwrite: false);
            _committed = true;
            return key;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            if (!_committed) File.Delete(temporary);
        }
    }
}
