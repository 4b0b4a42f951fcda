using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Plans;
using Portal.Core.Features.Status;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Sla;

public static class SlaErrors
{
    public static readonly Error NoPolicy = new("Sla.NoPolicy", "No SLA applies to this tenant: set one for pay-as-you-go or for its plan.");
    public static readonly Error AlreadyCredited = new("Sla.AlreadyCredited", "This credit was already paid into the wallet and cannot be held.");
    public static readonly Error NotHeld = new("Sla.NotHeld", "This credit is not held.");
    public static readonly Error MonthNotOver = new("Sla.MonthNotOver", "The month has not ended yet.");
}

/// <summary>The SLA that applies to a tenant for a month and what it gives.</summary>
public sealed record SlaComputation(SlaPolicy Policy, SlaAssessment Assessment);

/// <summary>
/// The monthly SLA run: for every tenant with fees in the month, the spend-weighted availability per model against the
/// tenant's SLA (its plan's, else pay-as-you-go's), one <see cref="SlaCredit"/> row per tenant and month, and the credit
/// posted through the ledger once (<c>sla:{tenant}:{yyyy-MM}</c>), then one email to the Owners. Safe to run twice and
/// concurrently: the row is unique per tenant and month, the credit claims it Pending → Credited inside the ledger's
/// transaction, the ledger key is unique, and the email is claimed by a conditional update of <see cref="SlaCredit.NotifiedAt"/>.
/// </summary>
public sealed class SlaCredits(
    IDbContextFactory<PortalDbContext> dbFactory,
    Ledger ledger,
    EmailOutbox outbox,
    EmailTemplates templates,
    TimeProvider clock)
{
    /// <summary>The ledger key of a tenant's SLA credit for a month.</summary>
    public static string LedgerKey(Guid tenantId, int monthKey) => $"sla:{tenantId}:{SlaMonths.Text(monthKey)}";

    /// <summary>Computes and credits <paramref name="year"/>-<paramref name="month"/> for every tenant with fees in it; returns the tenants credited by this run.</summary>
    public async Task<int> RunAsync(int year, int month, CancellationToken cancellationToken = default)
    {
        var monthKey = SlaMonths.Key(year, month);
        var (first, last) = DayRange(year, month);
        List<Guid> tenants;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            tenants = await db.Set<UsageDaily>().IgnoreTenantFilter().Where(r => r.Day >= first && r.Day <= last && r.CostMicroYuan > 0)
                .Select(r => r.TenantId).Distinct().ToListAsync(cancellationToken);
        }

        var credited = 0;
        foreach (var tenantId in tenants.Order())
        {
            var computation = await ComputeAsync(tenantId, year, month, cancellationToken);
            if (computation is null) continue;
            var row = await RecordAsync(tenantId, monthKey, computation, null, cancellationToken);
            if (row.Status == SlaCreditStatus.Pending && await CreditAsync(row, cancellationToken)) credited++;
            else if (row.Status == SlaCreditStatus.Credited) await NotifyAsync(row.Id, cancellationToken);
        }

        return credited;
    }

    /// <summary>The SLA and the outcome of <paramref name="tenantId"/> for a month, from the data as it is now; null without an SLA.</summary>
    public async Task<SlaComputation?> ComputeAsync(Guid tenantId, int year, int month, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var start = StatementMonths.Start(year, month);
        var end = StatementMonths.End(year, month);
        // The plan the tenant had during the month (the most recent one when it changed plans); else pay-as-you-go.
        var planId = await db.PlanSubscriptions.IgnoreTenantFilter()
            .Where(s => s.TenantId == tenantId && s.CreatedAt < end && (s.EndedAt == null || s.EndedAt > start))
            .OrderByDescending(s => s.CreatedAt).Select(s => (Guid?)s.PlanId).FirstOrDefaultAsync(cancellationToken);
        var policies = await db.Set<SlaPolicy>().AsNoTracking()
            .Where(p => p.Scope == SlaPolicy.PayAsYouGoScope || (planId != null && p.PlanId == planId)).ToListAsync(cancellationToken);
        var policy = policies.FirstOrDefault(p => planId != null && p.PlanId == planId) ?? policies.FirstOrDefault(p => p.PlanId == null);
        if (policy is null) return null;

        var (first, last) = DayRange(year, month);
        var fees = await db.Set<UsageDaily>().IgnoreTenantFilter()
            .Where(r => r.TenantId == tenantId && r.Day >= first && r.Day <= last)
            .GroupBy(r => new { r.Model, r.Day })
            .Select(g => new { g.Key.Model, g.Key.Day, Fees = g.Sum(r => r.CostMicroYuan) })
            .ToListAsync(cancellationToken);
        var models = fees.Select(f => f.Model).Distinct().ToList();
        var measured = await db.Set<ModelAvailabilityDay>().AsNoTracking()
            .Where(a => a.Day >= first && a.Day <= last && models.Contains(a.Model))
            .ToDictionaryAsync(a => (a.Model, a.Day), cancellationToken);
        var days = fees.Select(f => measured.TryGetValue((f.Model, f.Day), out var a)
            ? new SlaDay(f.Model, f.Day, f.Fees, a.Requests, a.PlatformFailures)
            : new SlaDay(f.Model, f.Day, f.Fees, 0, 0));
        return new SlaComputation(policy, SlaCalculator.Assess(policy.Terms, days));
    }

    /// <summary>
    /// Stores the computation as the tenant's row for the month (creating it, or refreshing one not yet credited; a held
    /// row stays held), or, with <paramref name="hold"/>, creates it held. Returns the row as it now is.
    /// </summary>
    internal async Task<SlaCredit> RecordAsync(Guid tenantId, int monthKey, SlaComputation computation, SlaCredit? hold, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var now = clock.GetUtcNow();
        var (policy, assessment) = computation;
        var status = assessment.AmountMicroYuan > 0 ? SlaCreditStatus.Pending : SlaCreditStatus.NoBreach;
        var modelsJson = SlaModelOutcome.Serialize(assessment.Models);
        var existing = await FindAsync(db, tenantId, monthKey, cancellationToken);
        if (existing is null)
        {
            var row = new SlaCredit
            {
                Id = Ids.New(),
                TenantId = tenantId,
                Month = monthKey,
                Scope = policy.Scope,
                TargetPpm = policy.TargetPpm,
                CompensationPercent = policy.CompensationPercent,
                MaxCreditPercent = policy.MaxCreditPercent,
                FeesMicroYuan = assessment.FeesMicroYuan,
                AmountMicroYuan = assessment.AmountMicroYuan,
                ModelsJson = modelsJson,
                Status = hold is null ? status : SlaCreditStatus.Held,
                HoldReason = hold?.HoldReason,
                HeldBy = hold?.HeldBy,
                HeldAt = hold?.HeldAt,
                ComputedAt = now,
            };
            db.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return row;
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: a concurrent run (or an operator's hold) created the month's row first; the unique
                // (tenant, month) index kept that one, which is refreshed below like any existing row.
                db.ChangeTracker.Clear();
                existing = (await FindAsync(db, tenantId, monthKey, cancellationToken))!;
            }
        }

        if (existing.Status != SlaCreditStatus.Credited && hold is null)
        {
            // NOTE: figures are refreshed only while not credited (the condition is part of the UPDATE, so a credit
            // that claims the row at the same moment wins or sees the new figures); a held row stays held.
            await db.Set<SlaCredit>().IgnoreTenantFilter()
                .Where(c => c.Id == existing.Id && c.Status != SlaCreditStatus.Credited)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.Scope, policy.Scope)
                    .SetProperty(c => c.TargetPpm, policy.TargetPpm)
                    .SetProperty(c => c.CompensationPercent, policy.CompensationPercent)
                    .SetProperty(c => c.MaxCreditPercent, policy.MaxCreditPercent)
                    .SetProperty(c => c.FeesMicroYuan, assessment.FeesMicroYuan)
                    .SetProperty(c => c.AmountMicroYuan, assessment.AmountMicroYuan)
                    .SetProperty(c => c.ModelsJson, modelsJson)
                    .SetProperty(c => c.ComputedAt, now)
                    .SetProperty(c => c.Status, c => c.Status == SlaCreditStatus.Held ? SlaCreditStatus.Held : status),
                    cancellationToken);
            existing = (await FindAsync(db, tenantId, monthKey, cancellationToken))!;
        }

        return existing;
    }

    /// <summary>Posts a pending credit through the ledger; true when this call credited it.</summary>
    internal async Task<bool> CreditAsync(SlaCredit row, CancellationToken cancellationToken)
    {
        if (row.Status != SlaCreditStatus.Pending || row.AmountMicroYuan <= 0) return false;
        var now = clock.GetUtcNow();
        var breached = string.Join(", ", row.Models.Where(m => m.Breached).Select(m => $"{m.Model} {m.AvailabilityText}"));
        var memo = LocalizedText.Encode("SLA credit for {0}: availability below the {1} target ({2})", row.MonthText, TargetText(row.TargetPpm), Truncate(breached, 300));
        var posting = new LedgerPosting(row.TenantId, row.Amount, LedgerEntryKind.SlaCredit, LedgerKey(row.TenantId, row.Month), memo, "sla.credited", $"SLA-{row.MonthText}");
        var amount = row.AmountMicroYuan;
        // NOTE: the claim (Pending → Credited for exactly this amount) runs in the ledger's transaction, so a hold or a
        // refresh at the same moment either happens first (the claim matches nothing, nothing is posted) or after
        // (the row is Credited and neither touches it); the unique ledger key is the second guard.
        var result = await ledger.PostAsync(posting, (db, ct) => ClaimAsync(db, row.Id, amount, now, ct), cancellationToken);
        if (!result.IsSuccess) return false;
        await NotifyAsync(row.Id, cancellationToken);
        return !result.Value.AlreadyApplied;
    }

    private static async Task<bool> ClaimAsync(PortalDbContext db, Guid id, long amount, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Set<SlaCredit>().IgnoreTenantFilter()
            .Where(c => c.Id == id && c.Status == SlaCreditStatus.Pending && c.AmountMicroYuan == amount)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, SlaCreditStatus.Credited).SetProperty(c => c.CreditedAt, now), cancellationToken) == 1;

    /// <summary>Emails the Owners about a credited row, once.</summary>
    private async Task NotifyAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.Set<SlaCredit>().IgnoreTenantFilter()
            .Where(c => c.Id == id && c.Status == SlaCreditStatus.Credited && c.NotifiedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NotifiedAt, clock.GetUtcNow()), cancellationToken);
        if (claimed == 0) return;

        var row = await db.Set<SlaCredit>().IgnoreTenantFilter().AsNoTracking().SingleAsync(c => c.Id == id, cancellationToken);
        var models = string.Join(", ", row.Models.Where(m => m.Breached).Select(m => $"{m.Model} ({m.AvailabilityText})"));
        await KycOwnerMail.SendAsync(db, outbox, row.TenantId, (culture, tenantName) => templates.Notice(culture, "An SLA credit was added to your wallet",
                "In {0} the availability of {1} for {2} was below the {3} promised. {4} has been credited to the wallet; it is in the wallet history and on the monthly statement.",
                row.MonthText, models, tenantName, TargetText(row.TargetPpm), row.Amount.ToDisplay()),
            "SlaCredit", cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    internal static Task<SlaCredit?> FindAsync(PortalDbContext db, Guid tenantId, int monthKey, CancellationToken cancellationToken) =>
        db.Set<SlaCredit>().IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Month == monthKey, cancellationToken);

    public static string TargetText(int ppm) => (ppm / 10_000m).ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture) + " %";

    private static (int First, int Last) DayRange(int year, int month)
    {
        var first = new DateOnly(year, month, 1);
        return (UsageBuckets.DayKey(first), UsageBuckets.DayKey(first.AddMonths(1).AddDays(-1)));
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
