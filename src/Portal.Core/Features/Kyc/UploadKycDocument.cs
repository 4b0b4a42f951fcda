using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Stores one verification document of the current tenant (Owners and Admins). The content is streamed into the
/// file store while its type is sniffed and its size counted: a file that is empty, larger than
/// <see cref="KycLimits.DocumentMaxBytes"/> or not JPEG / PNG / PDF by content is refused and nothing is kept.
/// The uploaded name and the browser's content type are never trusted.
/// </summary>
public static class UploadKycDocument
{
    /// <summary>The upload: <c>Content</c> is read once, only up to the size limit, and not disposed; <c>FileName</c> is for display.</summary>
    public sealed record Command(KycDocumentKind Kind, string FileName, Stream Content);

    public sealed record Uploaded(Guid DocumentId, KycDocumentKind Kind, DocumentType Type, long Length, string FileName);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IFileStore store, ICurrentUser currentUser, TimeProvider clock)
    {
        public async Task<Result<Uploaded>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (!Enum.IsDefined(command.Kind)) return new Error("Kyc.InvalidDocumentKind", "Choose a valid document kind.");
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var manager = await access.RequireManagerAsync(db, cancellationToken);
            if (!manager.IsSuccess) return manager.Error!;

            string key;
            UploadOutcome outcome;
            await using (var upload = await store.BeginAsync(cancellationToken))
            {
                outcome = await DocumentSniffer.CopyLimitedAsync(command.Content, upload.Content, KycLimits.DocumentMaxBytes, cancellationToken);
                // Disposing an upload that was not committed deletes the partial file.
                if (!outcome.Succeeded) return LocalizedKycMessages.Translate(outcome.Error);
                key = await upload.CommitAsync(outcome.Type.Value.FileExtension(), cancellationToken);
            }

            var name = Path.GetFileName(command.FileName ?? "").Trim();
            var document = new KycDocument
            {
                Id = Ids.New(),
                TenantId = manager.Value!.TenantId,
                Kind = command.Kind,
                Type = outcome.Type.Value,
                StorageKey = key,
                OriginalName = name.Length > 255 ? name[..255] : name,
                Length = outcome.Length,
                Sha256 = outcome.Sha256,
                UploadedByUserId = currentUser.UserId,
                UploadedAt = clock.GetUtcNow(),
            };
            db.KycDocuments.Add(document);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch
            {
                await store.DeleteAsync(key, CancellationToken.None);
                throw;
            }

            return new Uploaded(document.Id, document.Kind, document.Type, document.Length, document.OriginalName);
        }
    }
}
