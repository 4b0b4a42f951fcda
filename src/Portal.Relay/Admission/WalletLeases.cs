using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Wallet;

namespace Portal.Relay.Admission;

/// <summary>The outcome of asking for a hold.</summary>
internal enum HoldOutcome
{
    Held,
    InsufficientFunds,
    NoWallet,
}

/// <summary>What a settled request took from the lease and what it overdrew beyond it.</summary>
internal readonly record struct Capture(long LeasePart, long Overdraft);

/// <summary>
/// Admission against wallets without a database round trip per request (DESIGN §6). Per tenant, this replica reserves
/// a block of the available money in the database — a <em>lease</em>: one conditional UPDATE of the wallet
/// (<c>reserved += x WHERE balance + credit_limit + live plan credit − reserved ≥ x</c>) and its <c>wallet_leases</c>
/// row, in one transaction — and hands out per-request holds from it in memory. When the lease runs low it is extended
/// the same way; when the tenant is idle it is released; a replica that dies leaves rows that expire and a job releases.
/// </summary>
/// <remarks>
/// Guarantees: a hold is granted only from <c>Lease − Held − Pending</c>, and the lease is money the database already
/// moved out of Available, so concurrent requests on any number of replicas can never spend more than the tenant has.
/// The one exception is <see cref="CaptureAsync"/> for a response that outgrew its hold (no <c>max_tokens</c>): it is
/// covered from the lease's free part or a further extension when possible, and what remains is an overdraft bounded
/// by that request, recorded on its usage record.
/// </remarks>
internal sealed class WalletLeases(IServiceScopeFactory scopes, IOptions<RelayOptions> options, TimeProvider clock, ILogger<WalletLeases> logger)
{
    private readonly ConcurrentDictionary<Guid, TenantAccount> _accounts = new();
    private readonly RelayOptions _options = options.Value;

    private string ReplicaId => _options.EffectiveReplicaId;

    public IEnumerable<TenantAccount> Accounts => _accounts.Values;

    public TenantAccount Account(Guid tenantId) => _accounts.GetOrAdd(tenantId, static id => new TenantAccount(id));

    /// <summary>Holds <paramref name="amount"/> for one request, extending the lease when the free part is too small.</summary>
    public async ValueTask<HoldOutcome> HoldAsync(TenantAccount account, long amount, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcTicks;
        while (true)
        {
            Task<bool>? running;
            lock (account.Gate)
            {
                account.LastActivityTicks = now;
                if (account.Free >= amount && account.BackedUntilTicks > now)
                {
                    account.Held += amount;
                    account.InFlight++;
                    return HoldOutcome.Held;
                }

                running = account.Extending;
            }

            if (running is not null)
            {
                await running.WaitAsync(cancellationToken);
                continue; // someone else's extension may have made room; look again before extending ourselves
            }

            var extended = await ExtendAsync(account, amount, cancellationToken);
            if (extended is { } outcome) return outcome;
        }
    }

    /// <summary>Gives back a hold of a request that consumed nothing (refused or failed before any output).</summary>
    public void Release(TenantAccount account, long hold)
    {
        lock (account.Gate)
        {
            account.Held -= hold;
            account.InFlight--;
            account.LastActivityTicks = clock.GetUtcNow().UtcTicks;
        }
    }

    /// <summary>
    /// Converts a request's hold into its final cost: the cost moves to <see cref="TenantAccount.Pending"/> until the
    /// settlement writer has written it, the rest of the hold becomes free again. A cost above the hold is taken from
    /// the free part of the lease, else from a further extension; only what neither covers is an overdraft.
    /// </summary>
    public async ValueTask<Capture> CaptureAsync(TenantAccount account, long hold, long cost)
    {
        long excess;
        long covered;
        lock (account.Gate)
        {
            account.Held -= hold;
            account.InFlight--;
            account.LastActivityTicks = clock.GetUtcNow().UtcTicks;
            covered = Math.Min(cost, hold);
            excess = cost - covered;
            var take = Math.Clamp(account.Free - covered, 0, excess);
            covered += take;
            excess -= take;
            account.Pending += covered;
        }

        if (excess == 0) return new Capture(covered, 0);

        // The response outgrew its hold. Reserve the difference like any hold (held briefly, then moved to Pending).
        var outcome = await HoldAsync(account, excess, CancellationToken.None);
        if (outcome != HoldOutcome.Held) return new Capture(covered, excess);
        lock (account.Gate)
        {
            account.Held -= excess;
            account.InFlight--;
            account.Pending += excess;
        }

        return new Capture(covered + excess, 0);
    }

    /// <summary>Called by the settlement writer after a batch committed: the settled costs left the lease in the database too.</summary>
    public void Settled(TenantAccount account, long leasePart, bool leaseRowMissing)
    {
        lock (account.Gate)
        {
            account.Pending -= leasePart;
            account.Lease -= leasePart;
            if (leaseRowMissing && account.Extending is null)
            {
                // NOTE: the lease row is gone (the expired-lease job released it while this replica was stalled): the
                // database no longer reserves it, so nothing may be handed out of it any more.
                logger.LogWarning("The lease of tenant {TenantId} on replica {Replica} was released by someone else; it will be taken again.", account.TenantId, ReplicaId);
                account.Lease = 0;
            }

            if (account.Lease < 0) account.Lease = 0;
        }
    }

    /// <returns>null when the caller should look at the lease again; otherwise the final outcome.</returns>
    private async Task<HoldOutcome?> ExtendAsync(TenantAccount account, long amount, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> done;
        long need;
        long stale = 0;
        var staleBackedUntil = long.MaxValue;
        lock (account.Gate)
        {
            if (account.Extending is not null) return null;
            if (account.BackedUntilTicks <= clock.GetUtcNow().UtcTicks)
            {
                // The plan credit the lease leaned on has expired, so its free part may be money the wallet no longer
                // has: it goes back first, and the lease grows again only by what is available now. Holds wait meanwhile
                // (Free is 0); what requests in flight hold stays and settles as usual.
                staleBackedUntil = account.BackedUntilTicks;
                stale = Math.Max(0, account.Free);
                account.Lease -= stale;
                account.BackedUntilTicks = long.MaxValue;
            }

            need = amount - account.Free;
            if (need <= 0 && stale == 0) return null;
            done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            account.Extending = done.Task;
        }

        var outcome = HoldOutcome.InsufficientFunds;
        var grew = false;
        try
        {
            // NOTE: the extension runs without the caller's cancellation: once the database reserved the money the
            // in-memory lease must learn it, or the reservation would sit unused until the lease expires.
            var walletId = account.WalletId ??= await FindWalletAsync(account.TenantId);
            if (walletId is null)
            {
                outcome = HoldOutcome.NoWallet;
                return outcome;
            }

            if (stale > 0)
            {
                try
                {
                    await ReturnAsync(walletId.Value, stale, CancellationToken.None);
                }
                catch
                {
                    lock (account.Gate)
                    {
                        account.Lease += stale;
                        account.BackedUntilTicks = Math.Min(account.BackedUntilTicks, staleBackedUntil);
                    }

                    throw;
                }
            }

            if (need <= 0) return null;
            var block = Math.Max(_options.LeaseBlockMicroYuan, need);
            var reserved = 0L;
            var backedUntil = await TryReserveAsync(walletId.Value, block);
            if (backedUntil is not null) reserved = block;
            else if (block > need)
            {
                // Less than a block is available: take all of it, if that covers the request.
                var available = await AvailableAsync(walletId.Value);
                var all = Math.Min(available, block);
                if (all >= need && (backedUntil = await TryReserveAsync(walletId.Value, all)) is not null) reserved = all;
                else if ((backedUntil = await TryReserveAsync(walletId.Value, need)) is not null) reserved = need;
            }

            if (reserved > 0)
            {
                lock (account.Gate)
                {
                    account.Lease += reserved;
                    account.BackedUntilTicks = Math.Min(account.BackedUntilTicks, backedUntil!.Value);
                }

                grew = true;
            }

            return grew ? null : HoldOutcome.InsufficientFunds;
        }
        finally
        {
            lock (account.Gate) account.Extending = null;
            done.SetResult(grew);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task<Guid?> FindWalletAsync(Guid tenantId)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).Select(w => (Guid?)w.Id).FirstOrDefaultAsync();
    }

    private async Task<long> AvailableAsync(Guid walletId)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().FirstAsync(w => w.Id == walletId);
        return Math.Max(0, wallet.Available(clock.GetUtcNow()).MicroYuan);
    }

    /// <summary>
    /// Reserves <paramref name="amount"/> of the wallet for this replica's lease, or nothing (null). Reserved, it returns
    /// until when the wallet's reservations are backed (UTC ticks): <see cref="long.MaxValue"/> when balance and credit
    /// line cover them all, else the earliest expiry of the live plan credit they lean on.
    /// </summary>
    private async Task<long?> TryReserveAsync(Guid walletId, long amount)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var now = clock.GetUtcNow();
        var expires = now + _options.LeaseTtl;
        var replica = ReplicaId;
        await using var transaction = await db.Database.BeginTransactionAsync();
        // NOTE: one conditional UPDATE decides: concurrent extensions on any number of replicas (and ledger debits,
        // which check Reserved) serialise on the wallet row, and none can reserve more than is available.
        var updated = await db.Wallets.IgnoreTenantFilter()
            .Where(w => w.Id == walletId
                        && w.BalanceMicroYuan + w.CreditLimitMicroYuan
                        + (w.PlanCreditExpiresAt > now ? w.PlanCreditMicroYuan : 0)
                        + (w.CarryoverPlanCreditExpiresAt > now ? w.CarryoverPlanCreditMicroYuan : 0)
                        - w.ReservedMicroYuan >= amount)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan + amount));
        if (updated == 0)
        {
            await transaction.RollbackAsync();
            return null;
        }

        var grown = await db.WalletLeases
            .Where(l => l.WalletId == walletId && l.ReplicaId == replica)
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.AmountMicroYuan, l => l.AmountMicroYuan + amount)
                .SetProperty(l => l.RenewedAt, now)
                .SetProperty(l => l.ExpiresAt, expires));
        if (grown == 0)
        {
            var tenantId = await db.Wallets.IgnoreTenantFilter().Where(w => w.Id == walletId).Select(w => w.TenantId).SingleAsync();
            db.WalletLeases.Add(new WalletLease
            {
                Id = Ids.New(),
                TenantId = tenantId,
                WalletId = walletId,
                ReplicaId = replica,
                AmountMicroYuan = amount,
                CreatedAt = now,
                RenewedAt = now,
                ExpiresAt = expires,
            });
            await db.SaveChangesAsync();
        }

        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().SingleAsync(w => w.Id == walletId);
        await transaction.CommitAsync();
        return BackedUntil(wallet, now);
    }

    private static long BackedUntil(Wallet wallet, DateTimeOffset now)
    {
        if (wallet.BalanceMicroYuan + wallet.CreditLimitMicroYuan >= wallet.ReservedMicroYuan) return long.MaxValue;
        var until = long.MaxValue;
        if (wallet.PlanCreditMicroYuan > 0 && wallet.PlanCreditExpiresAt is { } planExpires && planExpires > now)
            until = Math.Min(until, planExpires.UtcTicks);
        if (wallet.CarryoverPlanCreditMicroYuan > 0 && wallet.CarryoverPlanCreditExpiresAt is { } carryoverExpires && carryoverExpires > now)
            until = Math.Min(until, carryoverExpires.UtcTicks);
        return until;
    }

    /// <summary>Moves every lease of this replica's expiry forward; forgets leases someone else released.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var expires = now + _options.LeaseTtl;
        var replica = ReplicaId;
        await db.WalletLeases.Where(l => l.ReplicaId == replica)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RenewedAt, now).SetProperty(l => l.ExpiresAt, expires), cancellationToken);
        var held = (await db.WalletLeases.Where(l => l.ReplicaId == replica).Select(l => l.WalletId).ToListAsync(cancellationToken)).ToHashSet();
        foreach (var account in _accounts.Values)
        {
            lock (account.Gate)
            {
                if (account.Lease > 0 && account.Extending is null && account.WalletId is { } walletId && !held.Contains(walletId))
                {
                    logger.LogWarning("The lease of tenant {TenantId} on replica {Replica} was released by someone else; it will be taken again.", account.TenantId, replica);
                    account.Lease = 0;
                }
            }
        }
    }

    /// <summary>
    /// Returns the leases of tenants with nothing in flight and nothing waiting to be written, idle for
    /// <see cref="RelayOptions.LeaseIdleRelease"/> (or all such leases when <paramref name="all"/>, at shutdown).
    /// </summary>
    public async Task ReleaseIdleAsync(bool all, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var idleBefore = (now - _options.LeaseIdleRelease).UtcTicks;
        foreach (var account in _accounts.Values)
        {
            long amount;
            Guid walletId;
            lock (account.Gate)
            {
                if (account.Lease <= 0 || account.Held != 0 || account.Pending != 0 || account.InFlight != 0 || account.Extending is not null
                    || account.WalletId is null || (!all && account.LastActivityTicks > idleBefore))
                    continue;
                amount = account.Lease;
                walletId = account.WalletId.Value;
                account.Lease = 0;
            }

            try
            {
                await ReturnAsync(walletId, amount, cancellationToken);
            }
            catch (Exception e)
            {
                lock (account.Gate) account.Lease += amount;
                logger.LogWarning(e, "Releasing the lease of tenant {TenantId} failed; it stays reserved until the next try.", account.TenantId);
            }
        }
    }

    private async Task ReturnAsync(Guid walletId, long amount, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var replica = ReplicaId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // NOTE: relative updates only (amount − x, reserved − x): an extension of the same lease running at the same time
        // adds to the same row and both changes survive. Only what the row still holds is returned.
        var rowAmount = await db.WalletLeases.Where(l => l.WalletId == walletId && l.ReplicaId == replica).Select(l => (long?)l.AmountMicroYuan).FirstOrDefaultAsync(cancellationToken) ?? 0;
        var back = Math.Min(rowAmount, amount);
        if (back > 0)
        {
            var taken = await db.WalletLeases.Where(l => l.WalletId == walletId && l.ReplicaId == replica && l.AmountMicroYuan >= back)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.AmountMicroYuan, l => l.AmountMicroYuan - back), cancellationToken);
            if (taken == 1)
                await db.Wallets.IgnoreTenantFilter().Where(w => w.Id == walletId)
                    .ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan - back), cancellationToken);
        }

        await db.WalletLeases.Where(l => l.WalletId == walletId && l.ReplicaId == replica && l.AmountMicroYuan == 0).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
