using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;

namespace Portal.Core.Features.Support;

/// <summary>A file to attach: read once, up to the size limit; <see cref="FileName"/> is for display only.</summary>
public sealed record TicketFileInput(string FileName, Stream Content);

/// <summary>Stores ticket attachments: typed by content (JPEG, PNG, PDF) and size-limited exactly like KYC documents.</summary>
public static class TicketFiles
{
    public const int MaxFiles = 5;

    /// <summary>
    /// Streams every file into the store and adds its row to <paramref name="db"/>; on the first refused file, deletes what
    /// was stored and returns the error. The caller saves (and on failure calls <see cref="DeleteAsync"/>).
    /// </summary>
    internal static async Task<(List<TicketAttachment> Stored, Error? Error)> StoreAsync(PortalDbContext db, IFileStore store, SupportTicket ticket, Guid messageId,
        IReadOnlyList<TicketFileInput> files, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = new List<TicketAttachment>();
        if (files.Count > MaxFiles) return (stored, new Error("Support.TooManyFiles", $"Attach at most {MaxFiles} files."));
        foreach (var file in files)
        {
            await using var upload = await store.BeginAsync(cancellationToken);
            var outcome = await DocumentSniffer.CopyLimitedAsync(file.Content, upload.Content, KycLimits.DocumentMaxBytes, cancellationToken);
            if (!outcome.Succeeded)
            {
                await DeleteAsync(store, stored);
                return ([], outcome.Error);
            }

            var key = await upload.CommitAsync(outcome.Type.Value.FileExtension(), cancellationToken);
            var name = Path.GetFileName(file.FileName ?? "").Trim();
            var attachment = new TicketAttachment
            {
                Id = Ids.New(),
                TenantId = ticket.TenantId,
                TicketId = ticket.Id,
                MessageId = messageId,
                Type = outcome.Type.Value,
                StorageKey = key,
                FileName = name.Length > 255 ? name[..255] : name,
                Length = outcome.Length,
                UploadedAt = now,
            };
            stored.Add(attachment);
            db.Add(attachment);
        }

        return (stored, null);
    }

    /// <summary>Saves the ticket's changes; if the save fails, the files just stored are deleted so nothing is orphaned.</summary>
    internal static async Task SaveAsync(PortalDbContext db, IFileStore store, List<TicketAttachment> stored, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            await DeleteAsync(store, stored);
            throw;
        }
    }

    internal static async Task DeleteAsync(IFileStore store, IEnumerable<TicketAttachment> stored)
    {
        foreach (var attachment in stored) await store.DeleteAsync(attachment.StorageKey, CancellationToken.None);
    }
}
