using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Usage;

namespace Portal.Core.Features.Sla;

/// <summary>An SLA as the operators' page lists it; <see cref="PlanName"/> null for pay-as-you-go.</summary>
public sealed record SlaPolicyRow(SlaPolicy Policy, string? PlanName);

/// <summary>
/// One tenant's line of a month's run. <see cref="Status"/> is null for a preview (the run has not stored the month
/// yet): the figures are then computed from the data as it is now.
/// </summary>
public sealed record SlaRunRow(
    Guid TenantId,
    string TenantName,
    string Scope,
    int TargetPpm,
    Money Fees,
    Money Amount,
    IReadOnlyList<SlaModelOutcome> Models,
    SlaCreditStatus? Status,
    string? HoldReason,
    string? HeldBy,
    DateTimeOffset? HeldAt,
    DateTimeOffset? CreditedAt);

/// <summary>Operator reads of SLA policies and monthly runs (pages behind the operator policy).</summary>
public sealed class SlaQueries(IDbContextFactory<PortalDbContext> dbFactory, SlaCredits credits)
{
    public async Task<IReadOnlyList<SlaPolicyRow>> ListPoliciesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var policies = await db.Set<SlaPolicy>().AsNoTracking().ToListAsync(cancellationToken);
        var plans = await db.Plans.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        return policies
            .Select(p => new SlaPolicyRow(p, p.PlanId is { } id ? plans.GetValueOrDefault(id, "?") : null))
            .OrderBy(r => r.PlanName is not null).ThenBy(r => r.PlanName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The month's run: stored rows, plus a preview for tenants with fees but no row yet.</summary>
    public async Task<IReadOnlyList<SlaRunRow>> ListMonthAsync(int year, int month, CancellationToken cancellationToken = default)
    {
        var monthKey = SlaMonths.Key(year, month);
        var first = new DateOnly(year, month, 1);
        var (firstDay, lastDay) = (UsageBuckets.DayKey(first), UsageBuckets.DayKey(first.AddMonths(1).AddDays(-1)));
        List<SlaCredit> stored;
        List<Guid> withFees;
        Dictionary<Guid, string> names;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            stored = await db.Set<SlaCredit>().IgnoreTenantFilter().AsNoTracking().Where(c => c.Month == monthKey).ToListAsync(cancellationToken);
            withFees = await db.Set<UsageDaily>().IgnoreTenantFilter().Where(r => r.Day >= firstDay && r.Day <= lastDay && r.CostMicroYuan > 0)
                .Select(r => r.TenantId).Distinct().ToListAsync(cancellationToken);
            var ids = stored.Select(s => s.TenantId).Concat(withFees).Distinct().ToList();
            names = await db.Tenants.Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        }

        var rows = stored.Select(c => new SlaRunRow(c.TenantId, names.GetValueOrDefault(c.TenantId, "?"), c.Scope, c.TargetPpm, c.Fees, c.Amount, c.Models,
            c.Status, c.HoldReason, c.HeldBy, c.HeldAt, c.CreditedAt)).ToList();
        foreach (var tenantId in withFees.Where(t => stored.All(s => s.TenantId != t)))
        {
            if (await credits.ComputeAsync(tenantId, year, month, cancellationToken) is not { } computation) continue;
            var (policy, assessment) = computation;
            rows.Add(new SlaRunRow(tenantId, names.GetValueOrDefault(tenantId, "?"), policy.Scope, policy.TargetPpm, new Money(assessment.FeesMicroYuan),
                new Money(assessment.AmountMicroYuan), assessment.Models, null, null, null, null, null));
        }

        return rows.OrderByDescending(r => r.Amount).ThenBy(r => r.TenantName, StringComparer.Ordinal).ToList();
    }
}
