using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Catalog;

/// <summary>A PlatformAdmin takes a channel out of rotation or puts it back. Audited; the relay's catalog cache is told.</summary>
public static class SetChannelEnabled
{
    public sealed record Command(Guid Id, bool Enabled);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, AuditLog audit, IRelayCache relayCache, TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!(await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin)).IsSuccess) return CatalogErrors.AdminsOnly;
            var channel = await db.Channels.FirstOrDefaultAsync(c => c.Id == command.Id, cancellationToken);
            if (channel is null) return CatalogErrors.ChannelNotFound;
            if (channel.Enabled == command.Enabled) return Unit.Value;

            channel.Enabled = command.Enabled;
            channel.UpdatedAt = clock.GetUtcNow();
            audit.Add(db, command.Enabled ? "catalog.channel_enabled" : "catalog.channel_disabled", nameof(Channel), channel.Id, LocalizedText.Encode("{0}", channel.Name), null);
            await db.SaveChangesAsync(cancellationToken);
            relayCache.CatalogChanged();
            return Unit.Value;
        }
    }
}
