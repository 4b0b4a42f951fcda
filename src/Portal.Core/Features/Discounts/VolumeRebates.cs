using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Discounts;

/// <summary>
/// Month-end volume rebates: each tenant's counted spend of the month against the tiers, the rebate credited through
/// the ledger once (<c>rebate:{tenant}:{yyyy-MM}</c>; the unique key makes two runs, or two at once, credit once).
/// </summary>
public sealed class VolumeRebates(IDbContextFactory<PortalDbContext> dbFactory, Ledger ledger)
{
    public static string LedgerKey(Guid tenantId, int year, int month) => $"rebate:{tenantId}:{year:0000}-{month:00}";

    public static string Reference(int year, int month) => $"REBATE-{year:0000}-{month:00}";

    /// <summary>Credits the rebates of <paramref name="year"/>-<paramref name="month"/>; returns how many this run credited.</summary>
    public async Task<int> RunAsync(int year, int month, CancellationToken cancellationToken = default)
    {
        List<VolumeDiscountTier> tiers;
        bool planCreditCounts;
        List<(Guid TenantId, long Spent)> spends;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            tiers = await db.Set<VolumeDiscountTier>().AsNoTracking().ToListAsync(cancellationToken);
            if (tiers.Count == 0) return 0;
            planCreditCounts = await PlanCreditCountsAsync(db, cancellationToken);
            var rows = await SpendQuery(db, year, month, planCreditCounts, null)
                .GroupBy(r => r.TenantId).Select(g => new { g.Key, Spent = g.Sum(r => r.Spent) })
                .ToListAsync(cancellationToken);
            spends = rows.Select(x => (x.Key, x.Spent)).ToList();
        }

        var credited = 0;
        foreach (var (tenantId, spentMicro) in spends.OrderBy(s => s.TenantId))
        {
            var spent = new Money(spentMicro);
            var tier = VolumeDiscounts.TierFor(tiers, spent);
            var rebate = VolumeDiscounts.Rebate(spent, tier);
            if (rebate <= Money.Zero) continue;
            var memo = LocalizedText.Encode("Volume rebate for {0}: {1} % of {2} spent", $"{year:0000}-{month:00}", tier!.PercentText, spent.ToDisplay());
            var result = await ledger.PostAsync(
                new LedgerPosting(tenantId, rebate, LedgerEntryKind.VolumeRebate, LedgerKey(tenantId, year, month), memo, "discounts.rebate_credited", Reference(year, month)),
                cancellationToken: cancellationToken);
            if (result.IsSuccess && !result.Value.AlreadyApplied) credited++;
        }

        return credited;
    }

    /// <summary>One tenant's counted spend in a month so far.</summary>
    public async Task<Money> SpentAsync(PortalDbContext db, Guid tenantId, int year, int month, bool planCreditCounts, CancellationToken cancellationToken) =>
        new(await SpendQuery(db, year, month, planCreditCounts, tenantId).SumAsync(r => (long?)r.Spent, cancellationToken) ?? 0);

    public static async Task<bool> PlanCreditCountsAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        await db.Set<VolumeDiscountSettings>().AsNoTracking().Where(s => s.Id == VolumeDiscountSettings.SingletonId)
            .Select(s => (bool?)s.PlanCreditCounts).FirstOrDefaultAsync(cancellationToken) ?? false;

    private static IQueryable<SpendRow> SpendQuery(PortalDbContext db, int year, int month, bool planCreditCounts, Guid? tenantId)
    {
        var first = new DateOnly(year, month, 1);
        var (firstDay, lastDay) = (UsageBuckets.DayKey(first), UsageBuckets.DayKey(first.AddMonths(1).AddDays(-1)));
        var rows = db.Set<UsageDaily>().IgnoreTenantFilter().Where(r => r.Day >= firstDay && r.Day <= lastDay);
        if (tenantId is { } id) rows = rows.Where(r => r.TenantId == id);
        return planCreditCounts
            ? rows.Select(r => new SpendRow { TenantId = r.TenantId, Spent = r.CostMicroYuan })
            : rows.Select(r => new SpendRow { TenantId = r.TenantId, Spent = r.WalletChargedMicroYuan });
    }

    private sealed class SpendRow
    {
        public Guid TenantId { get; init; }

        public long Spent { get; init; }
    }
}
