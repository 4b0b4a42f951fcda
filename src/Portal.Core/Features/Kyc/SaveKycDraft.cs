using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Kyc;

/// <summary>Saves the verification form as the tenant's draft without checking it (Owners and Admins).</summary>
public static class SaveKycDraft
{
    public sealed record Command(KycForm Form);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TimeProvider clock)
    {
        public async Task<Result<Guid>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (!Enum.IsDefined(command.Form.Type)) return new Error("Kyc.InvalidType", "Choose enterprise or individual verification.");
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var manager = await access.RequireManagerAsync(db, cancellationToken);
            if (!manager.IsSuccess) return manager.Error!;
            if (!await KycDrafts.DocumentsExistAsync(db, command.Form, cancellationToken)) return KycErrors.DocumentMissing;

            var now = clock.GetUtcNow();
            var draft = await KycDrafts.OpenAsync(db, manager.Value!.TenantId, now, cancellationToken);
            if (!draft.IsSuccess) return draft.Error!;
            command.Form.ApplyTo(draft.Value!, validated: false);
            draft.Value!.UpdatedAt = now;
            if (await KycDrafts.SaveAsync(db, cancellationToken) is { } conflict) return conflict;
            return draft.Value!.Id;
        }
    }
}
