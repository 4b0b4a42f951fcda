using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Plans;

public enum RenewalOutcome
{
    /// <summary>The next period was paid and its credit granted.</summary>
    Renewed,

    /// <summary>Auto-renew was on but the balance was short at the period end: the subscription lapsed.</summary>
    Lapsed,

    /// <summary>Auto-renew was off and the period ended.</summary>
    Ended,

    /// <summary>The balance is short, but the period has not ended yet: tried again on the next run.</summary>
    WaitingForFunds,

    /// <summary>Not within <see cref="PlanRenewals.Lead"/> of its end.</summary>
    NotDue,

    /// <summary>Another run (or a plan change) got there first.</summary>
    Nothing,
}

/// <summary>
/// Period ends: renewal from the balance, lapse when it is short, the end of non-renewing subscriptions, reminders
/// and the recording of expired credit. Every step is one transaction guarded by a conditional UPDATE on the
/// subscription (and the ledger's unique key <c>plan:{subscriptionId}:{periodNo}</c>), so any of them can run twice.
/// </summary>
public sealed class PlanRenewals(
    IDbContextFactory<PortalDbContext> dbFactory,
    Ledger ledger,
    AuditLog audit,
    EmailOutbox outbox,
    EmailTemplates templates,
    TimeProvider clock,
    ILogger<PlanRenewals> logger)
{
    /// <summary>
    /// A renewing subscription is renewed this long before its period ends (the job runs every minute), so the new
    /// credit is there when the old expires; the old period's remaining credit moves to carry-over and is drawn first
    /// until its own expiry. A short balance is tried again each run until the period end, then the plan lapses.
    /// </summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMinutes(5);

    /// <summary>Reminders go out this long before a period ends.</summary>
    public static readonly TimeSpan ReminderWindow = TimeSpan.FromDays(3);

    /// <summary>Active subscriptions whose period ends within <see cref="Lead"/>.</summary>
    public async Task<IReadOnlyList<Guid>> DueAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var horizon = clock.GetUtcNow() + Lead;
        return await db.PlanSubscriptions.IgnoreTenantFilter()
            .Where(s => s.Status == SubscriptionStatus.Active && s.CurrentPeriodEndAt <= horizon)
            .OrderBy(s => s.CurrentPeriodEndAt).Select(s => s.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Renews, lapses or ends one subscription if its period is (nearly) over. Safe to run twice.</summary>
    public async Task<RenewalOutcome> ProcessAsync(Guid subscriptionId, CancellationToken cancellationToken = default)
    {
        PlanSubscription? subscription;
        Plan? plan;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            subscription = await db.PlanSubscriptions.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken);
            if (subscription is not { Status: SubscriptionStatus.Active }) return RenewalOutcome.Nothing;
            plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == subscription.PlanId, cancellationToken);
        }

        var now = clock.GetUtcNow();
        if (subscription.CurrentPeriodEndAt > now + Lead) return RenewalOutcome.NotDue;
        if (!subscription.AutoRenew)
        {
            if (subscription.CurrentPeriodEndAt > now) return RenewalOutcome.NotDue;
            return await CloseAsync(subscription, plan, SubscriptionStatus.Ended, cancellationToken);
        }

        var renewed = await RenewAsync(subscription, plan, cancellationToken);
        if (renewed != RenewalOutcome.WaitingForFunds) return renewed;
        return subscription.CurrentPeriodEndAt <= now
            ? await CloseAsync(subscription, plan, SubscriptionStatus.Lapsed, cancellationToken)
            : RenewalOutcome.WaitingForFunds;
    }

    private async Task<RenewalOutcome> RenewAsync(PlanSubscription subscription, Plan plan, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var current = subscription.CurrentPeriodNo;
        var next = current + 1;
        var anchor = subscription.AnchorAt;
        var anchorNo = subscription.AnchorPeriodNo;
        var start = subscription.CurrentPeriodEndAt;
        var end = PlanCalendar.PeriodEnd(anchor, anchorNo, next);
        if (end <= now)
        {
            // Whole periods were missed (the portal was down): never sell a period that is already over; the chain
            // restarts now.
            anchor = PlanCalendar.WholeSecond(now);
            anchorNo = next;
            start = anchor;
            end = PlanCalendar.MonthsAfter(anchor, 1);
        }

        var tenantId = subscription.TenantId;
        var key = PlanLedgerKeys.Period(subscription.Id, next);
        var insufficient = false;
        var posting = new LedgerPosting(tenantId, -plan.Price, LedgerEntryKind.PlanPurchase, key,
            LocalizedText.Encode("Plan {0} renewed ({1} – {2})", plan.Name, ChinaTime.Format(start), ChinaTime.Format(end)), "plans.renewed", subscription.Id.ToString("N"));
        var posted = await ledger.PostAsync(posting, async (db, ct) =>
        {
            var at = clock.GetUtcNow();
            // NOTE: the wallet lock with the cash condition (see PurchasePlan), then the subscription's conditional
            // UPDATE from period n to n + 1 while still Active with auto-renew on: a second run, a plan change or an
            // auto-renew switch that got there first leaves no row to update, and the whole posting rolls back.
            if (!await PlanCreditBook.LockAsync(db, tenantId, at, plan.Price, ct))
            {
                insufficient = true;
                return false;
            }

            var advanced = await db.PlanSubscriptions.IgnoreTenantFilter()
                .Where(s => s.Id == subscription.Id && s.Status == SubscriptionStatus.Active && s.AutoRenew && s.CurrentPeriodNo == current)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.CurrentPeriodNo, next)
                    .SetProperty(x => x.CurrentPeriodStartAt, start)
                    .SetProperty(x => x.CurrentPeriodEndAt, end)
                    .SetProperty(x => x.AnchorAt, anchor)
                    .SetProperty(x => x.AnchorPeriodNo, anchorNo), ct);
            if (advanced == 0) return false;

            var wallet = await PlanCreditBook.LockedWalletAsync(db, tenantId, ct);
            await PlanCreditBook.ExpireDeadAsync(db, wallet, at, ct);
            if (PlanCreditPots.CarryOver(wallet, at) is { } carried) PlanCreditBook.Add(db, tenantId, carried, subscription.Id, current, at);
            PlanCreditBook.Add(db, tenantId, PlanCreditPots.Grant(wallet, plan.Credit, end), subscription.Id, next, at);
            db.PlanPeriods.Add(new PlanPeriod
            {
                Id = Ids.New(),
                TenantId = tenantId,
                SubscriptionId = subscription.Id,
                PeriodNo = next,
                PlanId = plan.Id,
                Kind = PlanPeriodKind.Renewal,
                StartAt = start,
                EndAt = end,
                PriceMicroYuan = plan.PriceMicroYuan,
                CreditMicroYuan = plan.CreditMicroYuan,
                LedgerKey = key,
                PaidAt = at,
            });
            audit.Add(db, "plans.period_started", nameof(PlanSubscription), subscription.Id,
                LocalizedText.Encode("{0} period {1}: {2} → {3} credit until {4}", plan.Name, next.ToString(CultureInfo.InvariantCulture), plan.Price.ToDisplay(), plan.Credit.ToDisplay(), ChinaTime.Format(end)), tenantId);
            await KycOwnerMail.SendAsync(db, outbox, tenantId, (culture, tenantName) => templates.Notice(culture, "Your plan was renewed",
                "The plan {0} of {1} was renewed for {2}, paid from the balance. New credit: {3}, usable until {4}.",
                plan.Name, tenantName, plan.Price.ToDisplay(), plan.Credit.ToDisplay(), ChinaTime.Format(end)), "PlanRenewed", ct);
            return true;
        }, cancellationToken);

        if (posted.IsSuccess) return posted.Value!.AlreadyApplied ? RenewalOutcome.Nothing : RenewalOutcome.Renewed;
        if (insufficient) return RenewalOutcome.WaitingForFunds;
        if (posted.Error == Ledger.ClaimRejected) return RenewalOutcome.Nothing;
        logger.LogWarning("Renewal of subscription {SubscriptionId} failed: {Error}", subscription.Id, posted.Error!.Code);
        return RenewalOutcome.WaitingForFunds;
    }

    /// <summary>Ends a subscription at its period end (auto-renew off, or the balance short), records the expired credit and emails the Owners.</summary>
    private async Task<RenewalOutcome> CloseAsync(PlanSubscription subscription, Plan plan, SubscriptionStatus status, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var tenantId = subscription.TenantId;
        // NOTE: the wallet row first, then the subscription: the same lock order as purchases and renewals, so a plan
        // bought at the very moment the old one closes waits instead of deadlocking.
        var walletLocked = await PlanCreditBook.LockAsync(db, tenantId, now, null, cancellationToken);
        var closed = await db.PlanSubscriptions.IgnoreTenantFilter()
            .Where(s => s.Id == subscription.Id && s.Status == SubscriptionStatus.Active && s.CurrentPeriodNo == subscription.CurrentPeriodNo && s.CurrentPeriodEndAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, status).SetProperty(x => x.EndedAt, now), cancellationToken);
        if (closed == 0) return RenewalOutcome.Nothing;

        long expired = 0;
        if (walletLocked)
            expired = await PlanCreditBook.ExpireDeadAsync(db, await PlanCreditBook.LockedWalletAsync(db, tenantId, cancellationToken), now, cancellationToken);

        var end = ChinaTime.Format(subscription.CurrentPeriodEndAt);
        var balance = await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).Select(w => (long?)w.BalanceMicroYuan).FirstOrDefaultAsync(cancellationToken) ?? 0;
        if (status == SubscriptionStatus.Lapsed)
        {
            audit.Add(db, "plans.lapsed", nameof(PlanSubscription), subscription.Id,
                LocalizedText.Encode("{0}: balance {1} short of {2}; {3} credit expired", plan.Name, new Money(balance).ToDisplay(), plan.Price.ToDisplay(), new Money(expired).ToDisplay()), tenantId);
            await KycOwnerMail.SendAsync(db, outbox, tenantId, (culture, tenantName) => templates.Notice(culture, "Your plan has lapsed",
                "The plan {0} of {1} could not be renewed on {2}: the balance ({3}) is less than the price ({4}). Usage is now charged to the balance at pay-as-you-go prices. Top up and buy the plan again on the Plans page.",
                plan.Name, tenantName, end, new Money(balance).ToDisplay(), plan.Price.ToDisplay()), "PlanLapsed", cancellationToken);
        }
        else
        {
            audit.Add(db, "plans.ended", nameof(PlanSubscription), subscription.Id, LocalizedText.Encode("{0} ended (auto-renew off); {1} credit expired", plan.Name, new Money(expired).ToDisplay()), tenantId);
            await KycOwnerMail.SendAsync(db, outbox, tenantId, (culture, tenantName) => templates.Notice(culture, "Your plan has ended",
                "The plan {0} of {1} ended on {2} because auto-renew was off. Usage is now charged to the balance at pay-as-you-go prices.",
                plan.Name, tenantName, end), "PlanEnded", cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return status == SubscriptionStatus.Lapsed ? RenewalOutcome.Lapsed : RenewalOutcome.Ended;
    }

    /// <summary>Empties every expired plan-credit pot and records what it held (<see cref="PlanCreditEventKind.Expired"/>). Returns how many wallets it touched.</summary>
    public async Task<int> RecordExpiredCreditAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        List<Guid> tenants;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            tenants = await db.Wallets.IgnoreTenantFilter()
                .Where(w => (w.PlanCreditMicroYuan > 0 && w.PlanCreditExpiresAt <= now) || (w.CarryoverPlanCreditMicroYuan > 0 && w.CarryoverPlanCreditExpiresAt <= now))
                .Select(w => w.TenantId).ToListAsync(cancellationToken);
        }

        var touched = 0;
        foreach (var tenantId in tenants)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            using var platform = db.EnterPlatformScope();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: under the wallet row's lock the pots are read and emptied with no draw in between; a second run
            // finds them empty and records nothing.
            if (!await PlanCreditBook.LockAsync(db, tenantId, now, null, cancellationToken)) continue;
            var expired = await PlanCreditBook.ExpireDeadAsync(db, await PlanCreditBook.LockedWalletAsync(db, tenantId, cancellationToken), now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (expired > 0) touched++;
        }

        return touched;
    }

    /// <summary>
    /// Emails the Owners of subscriptions whose period ends within <see cref="ReminderWindow"/>: once per period (the
    /// sent flag is claimed by a conditional UPDATE in the same transaction as the email).
    /// </summary>
    public async Task<int> SendRemindersAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var horizon = now + ReminderWindow;
        List<Guid> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            due = await db.PlanSubscriptions.IgnoreTenantFilter()
                .Where(s => s.Status == SubscriptionStatus.Active && s.CurrentPeriodEndAt > now && s.CurrentPeriodEndAt <= horizon
                            && (s.ReminderSentForPeriodNo == null || s.ReminderSentForPeriodNo != s.CurrentPeriodNo))
                .Select(s => s.Id).ToListAsync(cancellationToken);
        }

        var sent = 0;
        foreach (var id in due)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            using var platform = db.EnterPlatformScope();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var subscription = await db.PlanSubscriptions.IgnoreTenantFilter().AsNoTracking().SingleAsync(s => s.Id == id, cancellationToken);
            var claimed = await db.PlanSubscriptions.IgnoreTenantFilter()
                .Where(s => s.Id == id && s.Status == SubscriptionStatus.Active && s.CurrentPeriodNo == subscription.CurrentPeriodNo
                            && (s.ReminderSentForPeriodNo == null || s.ReminderSentForPeriodNo != s.CurrentPeriodNo))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReminderSentForPeriodNo, subscription.CurrentPeriodNo), cancellationToken);
            if (claimed == 0) continue;

            var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == subscription.PlanId, cancellationToken);
            var balance = new Money(await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == subscription.TenantId)
                .Select(w => (long?)(w.BalanceMicroYuan - w.ReservedMicroYuan)).FirstOrDefaultAsync(cancellationToken) ?? 0);
            var end = ChinaTime.Format(subscription.CurrentPeriodEndAt);
            await KycOwnerMail.SendAsync(db, outbox, subscription.TenantId, (culture, tenantName) => !subscription.AutoRenew
                ? templates.Notice(culture, "Your plan ends soon",
                    "The plan {0} of {1} ends on {2} and will not renew (auto-renew is off). Unused plan credit expires then and is not refunded.",
                    plan.Name, tenantName, end)
                : balance >= plan.Price
                    ? templates.Notice(culture, "Your plan renews soon",
                        "The plan {0} of {1} renews on {2} for {3}, paid from the balance ({4}). Unused credit of this period expires then and is not refunded.",
                        plan.Name, tenantName, end, plan.Price.ToDisplay(), balance.ToDisplay())
                    : templates.Notice(culture, "Top up to keep your plan",
                        "The plan {0} of {1} renews on {2} for {3}, but the balance is only {4}. Top up before then, or the plan lapses and usage is charged at pay-as-you-go prices.",
                        plan.Name, tenantName, end, plan.Price.ToDisplay(), balance.ToDisplay()),
                "PlanReminder", cancellationToken);
            audit.Add(db, "plans.reminder_sent", nameof(PlanSubscription), id, LocalizedText.Encode("period {0} ends {1}", subscription.CurrentPeriodNo.ToString(CultureInfo.InvariantCulture), end), subscription.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            sent++;
        }

        return sent;
    }
}
