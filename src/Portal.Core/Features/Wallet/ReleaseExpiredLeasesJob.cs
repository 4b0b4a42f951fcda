using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Features.Wallet;

/// <summary>
/// Every minute: returns the leases of relay replicas that stopped renewing them (crashed or killed) to their wallets —
/// <c>Reserved −= amount</c> and the lease row deleted, in one transaction per lease. Safe to run twice and on several
/// servers at once: the delete is conditional on the lease still being expired, so each lease is returned once, and a
/// replica that renewed in the meantime keeps it. The same for the key-budget holds such a replica left
/// (<see cref="ApiKeys.ApiKeyBudgetHold"/>): <c>api_key_spend.reserved −= held</c> and the row deleted.
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

        return released + await ReleaseKeyBudgetHoldsAsync(db, now, cancellationToken);
    }

    private async Task<int> ReleaseKeyBudgetHoldsAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = await db.ApiKeyBudgetHolds.IgnoreTenantFilter().AsNoTracking().Where(h => h.ExpiresAt < now)
            .OrderBy(h => h.ApiKeyId).ThenBy(h => h.Month).ThenBy(h => h.ReplicaId).ToListAsync(cancellationToken);
        var released = 0;
        foreach (var hold in expired)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var row = db.ApiKeyBudgetHolds.IgnoreTenantFilter()
                .Where(h => h.ApiKeyId == hold.ApiKeyId && h.Month == hold.Month && h.ReplicaId == hold.ReplicaId && h.ExpiresAt < now);
            // NOTE: as for leases, the conditional delete (still expired, still holding what was read) claims the row.
            var amount = await row.Select(h => (long?)h.ReservedMicroYuan).FirstOrDefaultAsync(cancellationToken);
            var claimed = amount is not null && await row.Where(h => h.ReservedMicroYuan == amount).ExecuteDeleteAsync(cancellationToken) == 1;
            if (!claimed)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            if (amount > 0)
            {
                await db.ApiKeySpends.IgnoreTenantFilter().Where(s => s.ApiKeyId == hold.ApiKeyId && s.Month == hold.Month)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReservedMicroYuan, x => x.ReservedMicroYuan - amount!.Value >= 0 ? x.ReservedMicroYuan - amount.Value : 0), cancellationToken);
                logger.LogWarning("Released the expired key-budget hold of replica {Replica} on key {KeyId} ({Month}): {Amount} micro-yuan.", hold.ReplicaId, hold.ApiKeyId, hold.Month, amount);
                released++;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return released;
    }
}
