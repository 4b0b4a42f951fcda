using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Plans;

/// <summary>A plan as the catalogue shows it.</summary>
public sealed record PlanOffer(Guid Id, string Name, string Description, Money Price, Money Credit, decimal SavingPercent)
{
    public static PlanOffer From(Plan p) => new(p.Id, p.Name, p.Description, p.Price, p.Credit, PlanCalendar.SavingPercent(p.Price, p.Credit));
}

/// <summary>
/// A tenant's plan at a glance. Without an active subscription only the carry-over fields may be non-zero.
/// <see cref="CreditLeft"/> is all live plan credit (current period and carry-over); <see cref="CreditUsedThisPeriod"/>
/// is how much of this period's own credit is gone.
/// </summary>
public sealed record PlanSummary(
    Guid? SubscriptionId,
    Guid? PlanId,
    string? PlanName,
    bool AutoRenew,
    int PeriodNo,
    DateTimeOffset? PeriodStartAt,
    DateTimeOffset? PeriodEndAt,
    Money PeriodCredit,
    Money PeriodCreditLeft,
    Money CarryoverLeft,
    DateTimeOffset? CarryoverExpiresAt,
    Money CreditLeft,
    Money NextPrice,
    bool PlanArchived)
{
    public bool HasPlan => SubscriptionId is not null;

    public Money CreditUsedThisPeriod => PeriodCredit - PeriodCreditLeft;

    public static PlanSummary None(Money carryover, DateTimeOffset? carryoverExpiresAt) =>
        new(null, null, null, false, 0, null, null, Money.Zero, Money.Zero, carryover, carryoverExpiresAt, carryover, Money.Zero, false);
}

public sealed record PlanPeriodLine(Guid SubscriptionId, string PlanName, int PeriodNo, PlanPeriodKind Kind, DateTimeOffset StartAt, DateTimeOffset EndAt, Money Price, Money Credit, DateTimeOffset PaidAt, SubscriptionStatus Status);

public sealed record PlanCreditLine(DateTimeOffset At, PlanCreditEventKind Kind, Money Amount, DateTimeOffset? ExpiresAt, string? PlanName);

/// <summary>Plan credit that expired unused (for statements): when it expired, how much, from which subscription.</summary>
public sealed record ExpiredPlanCredit(DateTimeOffset ExpiredAt, Money Amount, Guid? SubscriptionId, int? PeriodNo, string? PlanName);

public sealed record PlanAdminRow(Plan Plan, int ActiveSubscribers, decimal SavingPercent);

/// <summary>Reads plans and subscriptions: members see their own tenant's; operator methods are for pages behind the operator policy.</summary>
public sealed class PlanQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TimeProvider clock)
{
    /// <summary>Plans on sale, in display order.</summary>
    public async Task<IReadOnlyList<PlanOffer>> ListCatalogueAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var plans = await db.Plans.AsNoTracking().Where(p => p.Status == PlanStatus.Active)
            .OrderBy(p => p.DisplayOrder).ThenBy(p => p.CreatedAt).ToListAsync(cancellationToken);
        return plans.Select(PlanOffer.From).ToList();
    }

    /// <summary>The current tenant's plan, its credit and the carry-over.</summary>
    public async Task<Result<PlanSummary>> GetMineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var now = clock.GetUtcNow();
        var wallet = await db.Wallets.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        var carryover = wallet is { CarryoverPlanCreditExpiresAt: { } c } && c > now ? new Money(wallet.CarryoverPlanCreditMicroYuan) : Money.Zero;
        var carryoverExpires = carryover > Money.Zero ? wallet!.CarryoverPlanCreditExpiresAt : null;
        var active = await db.PlanSubscriptions.AsNoTracking().Where(s => s.Status == SubscriptionStatus.Active)
            .Join(db.Plans, s => s.PlanId, p => p.Id, (s, p) => new { Subscription = s, Plan = p })
            .FirstOrDefaultAsync(cancellationToken);
        if (active is null) return PlanSummary.None(carryover, carryoverExpires);

        var s = active.Subscription;
        var period = await db.PlanPeriods.AsNoTracking().FirstOrDefaultAsync(p => p.SubscriptionId == s.Id && p.PeriodNo == s.CurrentPeriodNo, cancellationToken);
        // The current pot belongs to this period when it expires with it.
        var periodLeft = wallet is not null && wallet.PlanCreditExpiresAt == s.CurrentPeriodEndAt && s.CurrentPeriodEndAt > now
            ? new Money(wallet.PlanCreditMicroYuan) : Money.Zero;
        return new PlanSummary(s.Id, s.PlanId, active.Plan.Name, s.AutoRenew, s.CurrentPeriodNo, s.CurrentPeriodStartAt, s.CurrentPeriodEndAt,
            new Money(period?.CreditMicroYuan ?? 0), periodLeft, carryover, carryoverExpires,
            wallet?.LivePlanCredit(now) ?? Money.Zero, active.Plan.Price, active.Plan.Status == PlanStatus.Archived);
    }

    /// <summary>The current tenant's paid periods (purchases and renewals), newest first.</summary>
    public async Task<Result<IReadOnlyList<PlanPeriodLine>>> ListMyPeriodsAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var rows = await db.PlanPeriods.AsNoTracking()
            .Join(db.Plans, p => p.PlanId, pl => pl.Id, (p, pl) => new { Period = p, pl.Name })
            .Join(db.PlanSubscriptions, x => x.Period.SubscriptionId, s => s.Id, (x, s) => new { x.Period, x.Name, s.Status })
            .OrderByDescending(x => x.Period.PaidAt).ThenByDescending(x => x.Period.Id)
            .Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return rows.Select(x => new PlanPeriodLine(x.Period.SubscriptionId, x.Name, x.Period.PeriodNo, x.Period.Kind, x.Period.StartAt, x.Period.EndAt,
            x.Period.Price, x.Period.Credit, x.Period.PaidAt, x.Status)).ToList();
    }

    /// <summary>The current tenant's plan-credit history (grants, carry-overs, expiries), newest first.</summary>
    public async Task<Result<IReadOnlyList<PlanCreditLine>>> ListMyCreditEventsAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var rows = await (from e in db.PlanCreditEvents.AsNoTracking()
                          join s in db.PlanSubscriptions on e.SubscriptionId equals s.Id into subs
                          from s in subs.DefaultIfEmpty()
                          join p in db.Plans on s.PlanId equals p.Id into plans
                          from p in plans.DefaultIfEmpty()
                          orderby e.At descending, e.Id descending
                          select new { Event = e, Name = p == null ? null : p.Name })
            .Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return rows.Select(x => new PlanCreditLine(x.Event.At, x.Event.Kind, x.Event.Amount, x.Event.ExpiresAt, x.Name)).ToList();
    }

    /// <summary>
    /// Plan credit of <paramref name="tenantId"/> that expired unused in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>),
    /// by the instant it expired, for statements. Not authorised here: callers (statement jobs, operator pages, the
    /// tenant's own statement page) make sure the reader may see this tenant.
    /// </summary>
    public async Task<IReadOnlyList<ExpiredPlanCredit>> ExpiredCreditAsync(Guid tenantId, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (from e in db.PlanCreditEvents.IgnoreTenantFilter().AsNoTracking()
                          where e.TenantId == tenantId && e.Kind == PlanCreditEventKind.Expired && e.ExpiresAt >= fromUtc && e.ExpiresAt < toUtc
                          join s in db.PlanSubscriptions.IgnoreTenantFilter() on e.SubscriptionId equals s.Id into subs
                          from s in subs.DefaultIfEmpty()
                          join p in db.Plans on s.PlanId equals p.Id into plans
                          from p in plans.DefaultIfEmpty()
                          orderby e.ExpiresAt
                          select new { Event = e, Name = p == null ? null : p.Name })
            .ToListAsync(cancellationToken);
        return rows.Select(x => new ExpiredPlanCredit(x.Event.ExpiresAt!.Value, x.Event.Amount, x.Event.SubscriptionId, x.Event.PeriodNo, x.Name)).ToList();
    }

    /// <summary>Operators: every plan, archived included, in display order, with its active subscribers.</summary>
    public async Task<IReadOnlyList<PlanAdminRow>> ListForOperatorAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var plans = await db.Plans.AsNoTracking().OrderBy(p => p.Status).ThenBy(p => p.DisplayOrder).ThenBy(p => p.CreatedAt).ToListAsync(cancellationToken);
        var counts = await db.PlanSubscriptions.IgnoreTenantFilter().Where(s => s.Status == SubscriptionStatus.Active)
            .GroupBy(s => s.PlanId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        return plans.Select(p => new PlanAdminRow(p, counts.GetValueOrDefault(p.Id), PlanCalendar.SavingPercent(p.Price, p.Credit))).ToList();
    }
}
