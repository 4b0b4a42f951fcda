using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Wallet;

/// <summary>A wallet as people see it. A tenant without a wallet yet has an empty one.</summary>
public sealed record WalletView(Guid TenantId, Money Balance, Money Reserved, Money CreditLimit, Money PlanCredit, DateTimeOffset? PlanCreditExpiresAt, Money Available)
{
    public static WalletView Empty(Guid tenantId) => new(tenantId, Money.Zero, Money.Zero, Money.Zero, Money.Zero, null, Money.Zero);

    public static WalletView From(Wallet w, DateTimeOffset now) =>
        new(w.TenantId, w.Balance, w.Reserved, w.CreditLimit, w.LivePlanCredit(now), w.PlanCreditExpiresAt, w.Available(now));
}

public sealed record LedgerLine(Guid Id, DateTimeOffset At, LedgerEntryKind Kind, Money Amount, Money BalanceAfter, string Memo, string Actor, string? Reference);

public sealed record OpenInvariantAlert(Guid Id, Guid TenantId, string TenantName, DateTimeOffset DetectedAt, Money Balance, Money Expected);

public sealed record WalletRow(Guid TenantId, string TenantName, Money Balance, Money CreditLimit, Money Reserved, DateTimeOffset? UpdatedAt);

/// <summary>Reads wallets: members see their own tenant's; operators (pages behind the operator policy) see all.</summary>
public sealed class WalletQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TimeProvider clock)
{
    public async Task<Result<WalletView>> GetMineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var wallet = await db.Wallets.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return wallet is null ? WalletView.Empty(member.Value!.TenantId) : WalletView.From(wallet, clock.GetUtcNow());
    }

    public async Task<Result<IReadOnlyList<LedgerLine>>> ListMyLedgerAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        return Result<IReadOnlyList<LedgerLine>>.Success(await Lines(db.LedgerEntries.AsNoTracking(), take, cancellationToken));
    }

    /// <summary>Operators: every tenant with its wallet (or none yet), biggest balances first.</summary>
    public async Task<(IReadOnlyList<WalletRow> Items, int Total)> SearchAsync(string? search, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tenants = db.Tenants.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search)) tenants = tenants.Where(t => t.Name.Contains(search.Trim()));
        var rows = from t in tenants
                   join w in db.Wallets.IgnoreTenantFilter() on t.Id equals w.TenantId into joined
                   from w in joined.DefaultIfEmpty()
                   select new { t.Id, t.Name, t.CreatedAt, Balance = (long?)w.BalanceMicroYuan, Credit = (long?)w.CreditLimitMicroYuan, Reserved = (long?)w.ReservedMicroYuan, Updated = (DateTimeOffset?)w.UpdatedAt };
        var total = await rows.CountAsync(cancellationToken);
        var size = Math.Clamp(pageSize, 1, 200);
        var items = await rows.OrderByDescending(r => r.Balance ?? 0).ThenByDescending(r => r.CreatedAt)
            .Skip(Math.Max(0, page) * size).Take(size).ToListAsync(cancellationToken);
        return (items.Select(r => new WalletRow(r.Id, r.Name, new Money(r.Balance ?? 0), new Money(r.Credit ?? 0), new Money(r.Reserved ?? 0), r.Updated)).ToList(), total);
    }

    /// <summary>Operators: one tenant's wallet and latest ledger entries.</summary>
    public async Task<(WalletView Wallet, IReadOnlyList<LedgerLine> Ledger)?> GetForOperatorAsync(Guid tenantId, int take = 100, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken)) return null;
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(w => w.TenantId == tenantId, cancellationToken);
        var lines = await Lines(db.LedgerEntries.IgnoreTenantFilter().AsNoTracking().Where(e => e.TenantId == tenantId), take, cancellationToken);
        return (wallet is null ? WalletView.Empty(tenantId) : WalletView.From(wallet, clock.GetUtcNow()), lines);
    }

    /// <summary>Operators: broken-invariant alerts nobody has acknowledged yet, newest first.</summary>
    public async Task<IReadOnlyList<OpenInvariantAlert>> ListOpenAlertsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.WalletInvariantAlerts.AsNoTracking().Where(a => a.AcknowledgedAt == null)
            .Join(db.Tenants, a => a.TenantId, t => t.Id, (a, t) => new { Alert = a, t.Name })
            .OrderByDescending(x => x.Alert.DetectedAt).Take(100).ToListAsync(cancellationToken);
        return rows.Select(x => new OpenInvariantAlert(x.Alert.Id, x.Alert.TenantId, x.Name, x.Alert.DetectedAt, new Money(x.Alert.BalanceMicroYuan), new Money(x.Alert.ExpectedMicroYuan))).ToList();
    }

    private static async Task<IReadOnlyList<LedgerLine>> Lines(IQueryable<LedgerEntry> query, int take, CancellationToken cancellationToken) =>
        (await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken))
        .Select(e => new LedgerLine(e.Id, e.At, e.Kind, e.Amount, e.BalanceAfter, e.Memo, e.Actor, e.Reference)).ToList();
}
