using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;

namespace Portal.Core.Common.Storage;

/// <summary>
/// <see cref="IFileStore"/> in the portal's database (PostgreSQL or SQLite), so every replica on the database serves every
/// file. Content is written and read in <see cref="ChunkSize"/> rows of <c>stored_file_chunks</c>: an upload holds at most
/// one chunk in memory and writes each as it fills; a reader loads one chunk at a time and, at the end, checks the length
/// and SHA-256 recorded on commit (a mismatch is a <see cref="StoredFileCorruptException"/>).
/// </summary>
public sealed class DatabaseFileStore(IServiceScopeFactory scopes, TimeProvider clock) : IMigratableFileStore
{
    /// <summary>256 KiB: small enough for any row and any memory budget, large enough that a 20 MB file is 80 rows.</summary>
    public const int ChunkSize = 256 * 1024;

    public Task<IFileUpload> BeginAsync(CancellationToken cancellationToken = default) =>
        BeginAsync(key: null, cancellationToken);

    public async Task<IFileUpload> BeginWithinAsync(PortalDbContext db, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is not { } transaction) return await BeginAsync(cancellationToken);
        // NOTE: a second context on the caller's connection and transaction, so chunks never disturb the caller's change tracker.
        var scope = scopes.CreateAsyncScope();
        try
        {
            var within = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
            within.Database.SetDbConnection(db.Database.GetDbConnection());
            await within.Database.UseTransactionAsync(transaction.GetDbTransaction(), cancellationToken);
            return await StartAsync(scope, within, key: null, cancellationToken);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!FileKeys.IsKey(key)) return null;
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
            var file = await db.Set<StoredFile>().AsNoTracking().SingleOrDefaultAsync(f => f.Key == key, cancellationToken);
            if (file is null)
            {
                await db.DisposeAsync();
                await scope.DisposeAsync();
                return null;
            }

            return new ChunkReadStream(scope, db, file);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!FileKeys.IsKey(key)) return;
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var id = await db.Set<StoredFile>().Where(f => f.Key == key).Select(f => (Guid?)f.Id).SingleOrDefaultAsync(cancellationToken);
        if (id is { } fileId) await DeleteFileAsync(db, fileId, CancellationToken.None);
    }

    public async IAsyncEnumerable<string> ListKeysAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // NOTE: pages by key instead of one open reader, so a copy into this same database (or SQLite's single writer) is never blocked by it.
        string? after = null;
        while (true)
        {
            List<string> page;
            await using (var scope = scopes.CreateAsyncScope())
            await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken))
            {
                var query = db.Set<StoredFile>().Where(f => f.Key != null);
                if (after is not null) query = query.Where(f => string.Compare(f.Key, after) > 0);
                page = await query.OrderBy(f => f.Key).Select(f => f.Key!).Take(500).ToListAsync(cancellationToken);
            }

            foreach (var key in page) yield return key;
            if (page.Count < 500) yield break;
            after = page[^1];
        }
    }

    public async Task<StoredFileFacts?> DescribeAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!FileKeys.IsKey(key)) return null;
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        return await db.Set<StoredFile>().Where(f => f.Key == key).Select(f => new StoredFileFacts(f.Length, f.Sha256!)).SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<StoredFileFacts> ImportAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        if (!FileKeys.IsKey(key)) throw new ArgumentException("Not a file store key.", nameof(key));
        await using var upload = (Upload)await BeginAsync(key, cancellationToken);
        await content.CopyToAsync(upload.Content, ChunkSize, cancellationToken);
        await upload.CommitAsync(FileKeys.ExtensionOf(key), cancellationToken);
        return upload.Facts!;
    }

    private async Task<IFileUpload> BeginAsync(string? key, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
            return await StartAsync(scope, db, key, cancellationToken);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    private async Task<IFileUpload> StartAsync(AsyncServiceScope? scope, PortalDbContext db, string? key, CancellationToken cancellationToken)
    {
        try
        {
            var file = new StoredFile { Id = Guid.CreateVersion7(), CreatedAt = clock.GetUtcNow() };
            db.Add(file);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return new Upload(scope, db, file.Id, key, clock);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private static async Task DeleteFileAsync(PortalDbContext db, Guid fileId, CancellationToken cancellationToken)
    {
        await db.Set<StoredFileChunk>().Where(c => c.FileId == fileId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<StoredFile>().Where(f => f.Id == fileId).ExecuteDeleteAsync(cancellationToken);
    }

    private sealed class Upload(AsyncServiceScope? scope, PortalDbContext db, Guid fileId, string? fixedKey, TimeProvider clock) : IFileUpload
    {
        private readonly ChunkWriteStream _content = new(db, fileId);
        private bool _committed;

        public Stream Content => _content;

        public StoredFileFacts? Facts { get; private set; }

        public async Task<string> CommitAsync(string extension, CancellationToken cancellationToken = default)
        {
            if (!FileKeys.IsExtension(extension)) throw new ArgumentException("Expected an extension like \".png\".", nameof(extension));
            var facts = await _content.FinishAsync(cancellationToken);
            var key = fixedKey ?? FileKeys.NewKey(extension);
            var committedAt = clock.GetUtcNow();
            // NOTE: the key is unique in the database; an import under a key that appeared meanwhile fails here and leaves nothing.
            await db.Set<StoredFile>().Where(f => f.Id == fileId).ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Key, key)
                .SetProperty(f => f.Length, facts.Length)
                .SetProperty(f => f.Sha256, facts.Sha256)
                .SetProperty(f => f.CommittedAt, committedAt), cancellationToken);
            _committed = true;
            Facts = facts;
            return key;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_committed) await DeleteFileAsync(db, fileId, CancellationToken.None);
            }
            finally
            {
                await _content.DisposeAsync();
                await db.DisposeAsync();
                if (scope is { } owned) await owned.DisposeAsync();
            }
        }
    }

    /// <summary>Buffers one chunk and inserts it when full (or on flush); hashes as it goes.</summary>
    private sealed class ChunkWriteStream(PortalDbContext db, Guid fileId) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _buffer = new byte[ChunkSize];
        private int _buffered;
        private int _nextIndex;
        private long _length;
        private bool _finished;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => !_finished;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var taken = Take(buffer);
                buffer = buffer[taken..];
                if (_buffered == ChunkSize) SaveChunk();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                var taken = Take(buffer.Span);
                buffer = buffer[taken..];
                if (_buffered == ChunkSize) await SaveChunkAsync(cancellationToken);
            }
        }

        /// <summary>Nothing: chunks are written when full and the last one on commit, so every chunk but the last is full.</summary>
        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        /// <summary>Writes the last (short) chunk and returns the file's length and hash; no writes after this.</summary>
        public async Task<StoredFileFacts> FinishAsync(CancellationToken cancellationToken)
        {
            if (_buffered > 0) await SaveChunkAsync(cancellationToken);
            _finished = true;
            return new StoredFileFacts(_length, Convert.ToHexStringLower(_hash.GetHashAndReset()));
        }

        private int Take(ReadOnlySpan<byte> source)
        {
            if (_finished) throw new InvalidOperationException("The file is committed.");
            var taken = Math.Min(source.Length, ChunkSize - _buffered);
            source[..taken].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += taken;
            _length += taken;
            return taken;
        }

        private StoredFileChunk NextChunk()
        {
            var data = _buffer.AsSpan(0, _buffered).ToArray();
            _hash.AppendData(data);
            _buffered = 0;
            var chunk = new StoredFileChunk { FileId = fileId, Index = _nextIndex++, Data = data };
            db.Add(chunk);
            return chunk;
        }

        private void SaveChunk()
        {
            NextChunk();
            db.SaveChanges();
            db.ChangeTracker.Clear();
        }

        private async Task SaveChunkAsync(CancellationToken cancellationToken)
        {
            NextChunk();
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Loads one chunk at a time; at the end compares length and SHA-256 with what was recorded on commit.</summary>
    private sealed class ChunkReadStream(AsyncServiceScope scope, PortalDbContext db, StoredFile file) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[] _chunk = [];
        private int _offset;
        private int _nextIndex;
        private long _read;
        private bool _verified;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            if (_offset == _chunk.Length && !_verified)
            {
                var next = db.Set<StoredFileChunk>().AsNoTracking().Where(c => c.FileId == file.Id && c.Index == _nextIndex).Select(c => c.Data).SingleOrDefault();
                Accept(next);
            }

            return Copy(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty) return 0;
            if (_offset == _chunk.Length && !_verified)
            {
                var next = await db.Set<StoredFileChunk>().AsNoTracking().Where(c => c.FileId == file.Id && c.Index == _nextIndex)
                    .Select(c => c.Data).SingleOrDefaultAsync(cancellationToken);
                Accept(next);
            }

            return Copy(buffer.Span);
        }

        /// <summary>Takes the next chunk, or at the end (no chunk) checks the whole file.</summary>
        private void Accept(byte[]? next)
        {
            if (next is { Length: > 0 } && _read + next.Length <= file.Length)
            {
                _hash.AppendData(next);
                _chunk = next;
                _offset = 0;
                _nextIndex++;
                return;
            }

            if (next is { Length: > 0 }) _hash.AppendData(next);
            var actual = new StoredFileFacts(_read + (next?.Length ?? 0), Convert.ToHexStringLower(_hash.GetHashAndReset()));
            var expected = new StoredFileFacts(file.Length, file.Sha256 ?? "");
            if (actual != expected) throw new StoredFileCorruptException(file.Key!, expected, actual);
            _chunk = [];
            _offset = 0;
            _verified = true;
        }

        private int Copy(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, _chunk.Length - _offset);
            _chunk.AsSpan(_offset, count).CopyTo(buffer);
            _offset += count;
            _read += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
                db.Dispose();
                scope.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            _hash.Dispose();
            await db.DisposeAsync();
            await scope.DisposeAsync();
            GC.SuppressFinalize(this);
        }
    }
}
