using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Portal.Core.Common.Storage;

/// <summary>
/// <see cref="IFileStore"/> on a local directory. A file is written as <c>.incoming/&lt;key&gt;.part</c> and moved into
/// place on commit (under a new random name); keys are 32 random hex characters plus an extension, so a key can never name a path.
/// </summary>
public sealed partial class LocalFileStore : IFileStore
{
    private const string Incoming = ".incoming";

    private readonly string _root;

    public LocalFileStore(string root)
    {
        _root = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(System.IO.Path.Combine(_root, Incoming));
    }

    public string Root => _root;

    public Task<IFileUpload> BeginAsync(CancellationToken cancellationToken = default)
    {
        var temporary = System.IO.Path.Combine(_root, Incoming, NewName() + ".part");
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, useAsync: true);
        return Task.FromResult<IFileUpload>(new Upload(this, stream, temporary));
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!KeyPattern().IsMatch(key)) return Task.FromResult<Stream?>(null);
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.FromResult<Stream?>(null);
        return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, useAsync: true));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        if (KeyPattern().IsMatch(key)) File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    private string PathOf(string key) => System.IO.Path.Combine(_root, key);

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    [GeneratedRegex(@"^\.[a-z0-9]{1,8}$")]
    private static partial Regex ExtensionPattern();

    [GeneratedRegex(@"^[0-9a-f]{32}\.[a-z0-9]{1,8}$")]
    private static partial Regex KeyPattern();

    private sealed class Upload(LocalFileStore store, FileStream stream, string temporary) : IFileUpload
    {
        private bool _committed;

        public Stream Content => stream;

        public async Task<string> CommitAsync(string extension, CancellationToken cancellationToken = default)
        {
            if (!ExtensionPattern().IsMatch(extension)) throw new ArgumentException("Expected an extension like \".png\".", nameof(extension));
            await stream.FlushAsync(cancellationToken);
            await stream.DisposeAsync();
            var key = NewName() + extension;
            File.Move(temporary, store.PathOf(key));
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
