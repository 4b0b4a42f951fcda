using Microsoft.Extensions.Logging;

namespace Portal.Core.Common.Storage;

/// <summary>
/// What <c>storage migrate</c> did: files copied, files already there with the same content, files there with different
/// content, and source files that failed their own length and hash check (not copied).
/// </summary>
public sealed record FileStoreMigrationReport(int Copied, int AlreadyPresent, IReadOnlyList<string> Mismatched, IReadOnlyList<string> Corrupt)
{
    public bool Succeeded => Mismatched.Count == 0 && Corrupt.Count == 0;
}

/// <summary>
/// Copies every file of one provider into another under the same key, so the records that name the keys stay valid.
/// Idempotent: a key already in the target with the same length and SHA-256 is skipped; one with other content is reported
/// and left alone (never overwritten); a copy whose stored hash differs from what was read is reported and removed; a
/// database file that fails its own check is reported as corrupt and not copied.
/// </summary>
public sealed class FileStoreMigration(FileStores stores, ILogger<FileStoreMigration> logger)
{
    public async Task<FileStoreMigrationReport> RunAsync(StorageProvider from, StorageProvider to, CancellationToken cancellationToken = default)
    {
        if (from == to) throw new ArgumentException("The source and the target are the same provider.", nameof(to));
        var source = stores.Get(from);
        var target = stores.Get(to);
        int copied = 0, present = 0;
        var mismatched = new List<string>();
        var corrupt = new List<string>();
        await foreach (var key in source.ListKeysAsync(cancellationToken))
        {
            var expected = await source.DescribeAsync(key, cancellationToken);
            if (expected is null) continue; // deleted since it was listed
            var existing = await target.DescribeAsync(key, cancellationToken);
            if (existing is not null)
            {
                if (existing == expected) present++;
                else
                {
                    mismatched.Add(key);
                    logger.LogError("File {Key} differs: {From} has {Expected}, {To} has {Existing}; left as it is", key, from, expected, existing, to);
                }

                continue;
            }

            await using var content = await source.OpenReadAsync(key, cancellationToken);
            if (content is null) continue;
            StoredFileFacts stored;
            try
            {
                stored = await target.ImportAsync(key, content, cancellationToken);
            }
            catch (StoredFileCorruptException e)
            {
                // The unfinished copy was discarded with its upload; the source is left for an operator to look at.
                corrupt.Add(key);
                logger.LogError("File {Key} in {From} is corrupt and was not copied: {Reason}", key, from, e.Message);
                continue;
            }

            if (stored != expected)
            {
                // NOTE: the source changed under us or was read wrong; the copy is not trusted.
                await target.DeleteAsync(key, cancellationToken);
                mismatched.Add(key);
                logger.LogError("File {Key} copied as {Stored} but {From} described it as {Expected}; copy removed", key, stored, from, expected);
                continue;
            }

            copied++;
        }

        return new FileStoreMigrationReport(copied, present, mismatched, corrupt);
    }
}
