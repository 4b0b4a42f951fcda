using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Catalog;

/// <summary>A PlatformAdmin enables or disables a model. A disabled model is refused by the relay (and hidden from <c>/v1/models</c>). Audited.</summary>
public static class SetModelEnabled
{
    public sealed record Command(Guid Id, bool Enabled);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, AuditLog audit, IRelayCache relayCache, TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!(await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin)).IsSuccess) return CatalogErrors.AdminsOnly;
            var model = await db.AiModels.FirstOrDefaultAsync(m => m.Id == command.Id, cancellationToken);
            if (model is null) return CatalogErrors.ModelNotFound;
            if (model.Enabled == command.Enabled) return Unit.Value;

            model.Enabled = command.Enabled;
            model.UpdatedAt = clock.GetUtcNow();
            audit.Add(db, command.Enabled ? "catalog.model_enabled" : "catalog.model_disabled", nameof(AiModel), model.Id, LocalizedText.Encode("{0}", model.PublicId), null);
            await db.SaveChangesAsync(cancellationToken);
            relayCache.CatalogChanged();
            return Unit.Value;
        }
    }
}
