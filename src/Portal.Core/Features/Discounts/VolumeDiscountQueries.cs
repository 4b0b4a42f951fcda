using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Features.Discounts;

/// <summary>The tiers and the plan-credit rule, for the plans page and the operators' page.</summary>
public sealed record DiscountRule(IReadOnlyList<VolumeDiscountTier> Tiers, bool PlanCreditCounts);

/// <summary>A rebate credited for a month (operators' list).</summary>
public sealed record RebateLine(Guid TenantId, string TenantName, Money Amount, DateTimeOffset At, string Memo);

public sealed class VolumeDiscountQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, VolumeRebates rebates, TimeProvider clock)
{
    public async Task<DiscountRule> GetRuleAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tiers = await db.Set<VolumeDiscountTier>().AsNoTracking().ToListAsync(cancellationToken);
        return new DiscountRule(tiers.OrderBy(t => t.MinimumSpendMicroYuan).ToList(), await VolumeRebates.PlanCreditCountsAsync(db, cancellationToken));
    }

    /// <summary>The current tenant's spend this month against the tiers; null when there are no tiers.</summary>
    public async Task<Result<DiscountProgress?>> GetMyProgressAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var tiers = await db.Set<VolumeDiscountTier>().AsNoTracking().ToListAsync(cancellationToken);
        if (tiers.Count == 0) return (DiscountProgress?)null;
        var planCreditCounts = await VolumeRebates.PlanCreditCountsAsync(db, cancellationToken);
        var (year, month) = StatementMonths.Of(clock.GetUtcNow());
        var spent = await rebates.SpentAsync(db, member.Value.TenantId, year, month, planCreditCounts, cancellationToken);
        return VolumeDiscounts.Progress(tiers, spent, planCreditCounts);
    }

    /// <summary>Rebates credited for a month, biggest first (operators).</summary>
    public async Task<IReadOnlyList<RebateLine>> ListRebatesAsync(int year, int month, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var reference = VolumeRebates.Reference(year, month);
        var entries = await db.LedgerEntries.IgnoreTenantFilter().AsNoTracking()
            .Where(e => e.Kind == LedgerEntryKind.VolumeRebate && e.Reference == reference)
            .Join(db.Tenants, e => e.TenantId, t => t.Id, (e, t) => new { e.TenantId, t.Name, e.AmountMicroYuan, e.At, e.Memo })
            .ToListAsync(cancellationToken);
        return entries.Select(e => new RebateLine(e.TenantId, e.Name, new Money(e.AmountMicroYuan), e.At, e.Memo))
            .OrderByDescending(e => e.Amount).ToList();
    }
}
