using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Features.Wallet;

/// <summary>
/// Every minute: returns the leases of relay replicas that stopped renewing them (crashed or killed) to their wallets —
/// <c>Reserved −= amount</c> and the lease row deleted, in one transaction per lease. Safe to run twice and on several
/// servers at once: the delete is conditional on the lease still being expired, so each lease is returned once, and a
/// replica that renewed in the meantime keeps it.
/// </summary>
public sealed class ReleaseExpiredLeasesJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<ReleaseExpiredLeasesJob> logger)
{
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var expired = await db.WalletLeases.AsNoTracking().Where(l => l.ExpiresAt < now).OrderBy(l => l.Id).ToListAsync(cancellationToken);
        var released = 0;
        foreach (var lease in expired)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: the conditional delete claims the lease (a renewal or a second run makes it match nothing), and only
            // the claimer gives the amount back, which the row still held at that moment.
            var amount = await db.WalletLeases.Where(l => l.Id == lease.Id && l.ExpiresAt < now).Select(l => (long?)l.AmountMicroYuan).FirstOrDefaultAsync(cancellationToken);
            var claimed = amount is not null && await db.WalletLeases.Where(l => l.Id == lease.Id && l.ExpiresAt < now && l.AmountMicroYuan == amount).ExecuteDeleteAsync(cancellationToken) == 1;
            if (!claimed)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            await db.Wallets.IgnoreTenantFilter().Where(w => w.Id == lease.WalletId)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan - amount!.Value >= 0 ? w.ReservedMicroYuan - amount.Value : 0), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            released++;
            logger.LogWarning("Released the expired lease of replica {Replica} on wallet {WalletId}: {Amount} micro-yuan back to available.", lease.ReplicaId, lease.WalletId, amount);
        }

        return released;
    }
}
