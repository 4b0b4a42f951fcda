using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Plans;

/// <summary>
/// Buys a plan from the wallet balance (Owner, Admin or Finance; refused until real-name verification is approved).
/// One transaction: the <c>PlanPurchase</c> ledger debit, the subscription and its first period, the new plan credit
/// and its expiry. A plan bought while another is active replaces it from now on; the old plan's remaining credit
/// moves to the carry-over pot and stays usable until its own expiry.
/// </summary>
public static class PurchasePlan
{
    /// <param name="PlanId">The plan to buy.</param>
    /// <param name="RequestId">Chosen once per confirmation dialog; becomes the subscription's id, so a repeated submit buys once.</param>
    /// <param name="AutoRenew">Renew at each period end from the balance.</param>
    public sealed record Command(Guid PlanId, Guid RequestId, bool AutoRenew = true);

    /// <summary>What was bought; <see cref="AlreadyApplied"/> when the same request had bought it before.</summary>
    public sealed record Purchased(Guid SubscriptionId, string PlanName, Money Price, Money Credit, DateTimeOffset PeriodEndAt, Money CarriedOver, DateTimeOffset? CarryoverExpiresAt, bool AlreadyApplied);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IKycGate kyc, Ledger ledger, AuditLog audit, TimeProvider clock)
    {
        /// <summary>Null when the caller may buy plans now; otherwise why not (role or verification).</summary>
        public async Task<Error?> CheckAllowedAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
            if (!member.IsSuccess) return member.Error;
            return await kyc.CheckAsync(member.Value!.TenantId, cancellationToken);
        }

        public async Task<Result<Purchased>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            // The JSON API takes the request id from the client, so a missing one is the client's mistake, not a bug.
            if (command.RequestId == Guid.Empty) return Error.Validation(new Dictionary<string, string[]> { ["RequestId"] = ["A purchase needs a request id."] });
            Guid tenantId;
            Guid userId;
            Plan? plan;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
                if (!member.IsSuccess) return member.Error!;
                tenantId = member.Value!.TenantId;
                userId = member.Value.UserId;
                if (await kyc.CheckAsync(tenantId, cancellationToken) is { } notVerified) return notVerified;
                plan = await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == command.PlanId, cancellationToken);
                if (plan is null) return Error.NotFound("Plan");
                var earlier = await db.PlanSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == command.RequestId, cancellationToken);
                if (earlier is not null) return await AlreadyBoughtAsync(earlier.Id, cancellationToken);
                if (plan.Status != PlanStatus.Active) return PlanErrors.NotOnSale;
            }

            var subscriptionId = command.RequestId;
            var key = PlanLedgerKeys.Period(subscriptionId, 1);
            var start = PlanCalendar.WholeSecond(clock.GetUtcNow());
            var end = PlanCalendar.MonthsAfter(start, 1);
            var insufficient = false;
            PlanCreditChange? carried = null;
            var posting = new LedgerPosting(tenantId, -plan.Price, LedgerEntryKind.PlanPurchase, key,
                LocalizedText.Encode("Plan {0} ({1} – {2})", plan.Name, ChinaTime.Format(start), ChinaTime.Format(end)), "plans.purchased", subscriptionId.ToString("N"));
            var posted = await ledger.PostAsync(posting, async (db, ct) =>
            {
                var now = clock.GetUtcNow();
                // NOTE: the lock is a conditional UPDATE of the wallet row that also checks the price against the cash
                // balance not held for requests in flight. It serialises this purchase with concurrent purchases,
                // renewals and the relay's settlement (which locks the same row), and the ledger's own debit in the
                // same transaction cannot fail after it. Two purchases at once: the second waits for the first and
                // re-evaluates the condition against the balance the first left, so only what the balance covers is bought.
                if (!await PlanCreditBook.LockAsync(db, tenantId, now, plan.Price, ct))
                {
                    insufficient = true;
                    return false;
                }

                // The same request raced past the ledger's key lookup: the unique key would refuse it anyway.
                if (await db.PlanSubscriptions.IgnoreTenantFilter().AnyAsync(s => s.Id == subscriptionId, ct)) return false;

                var wallet = await PlanCreditBook.LockedWalletAsync(db, tenantId, ct);
                await PlanCreditBook.ExpireDeadAsync(db, wallet, now, ct);
                var active = await db.PlanSubscriptions.IgnoreTenantFilter().AsNoTracking()
                    .FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Status == SubscriptionStatus.Active, ct);
                if (active is not null)
                {
                    // Under the wallet lock no other plan change runs for this tenant; the conditional UPDATE frees the
                    // one-active-subscription index before the new row is inserted.
                    await db.PlanSubscriptions.IgnoreTenantFilter()
                        .Where(s => s.Id == active.Id && s.Status == SubscriptionStatus.Active)
                        .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubscriptionStatus.Replaced)
                            .SetProperty(x => x.EndedAt, now).SetProperty(x => x.ReplacedById, subscriptionId), ct);
                    carried = PlanCreditPots.CarryOver(wallet, now);
                    if (carried is not null) PlanCreditBook.Add(db, tenantId, carried, active.Id, active.CurrentPeriodNo, now);
                    audit.Add(db, "plans.replaced", nameof(PlanSubscription), active.Id,
                        LocalizedText.Encode("replaced by {0}; {1} credit carried over until {2}", plan.Name, new Money(carried?.AmountMicroYuan ?? 0).ToDisplay(), ChinaTime.Format(carried?.ExpiresAt)), tenantId);
                }
                else
                {
                    PlanCreditPots.CarryOver(wallet, now);
                }

                db.PlanSubscriptions.Add(new PlanSubscription
                {
                    Id = subscriptionId,
                    TenantId = tenantId,
                    PlanId = plan.Id,
                    Status = SubscriptionStatus.Active,
                    AutoRenew = command.AutoRenew,
                    AnchorAt = start,
                    AnchorPeriodNo = 1,
                    CurrentPeriodNo = 1,
                    CurrentPeriodStartAt = start,
                    CurrentPeriodEndAt = end,
                    CreatedByUserId = userId,
                    CreatedAt = now,
                });
                db.PlanPeriods.Add(new PlanPeriod
                {
                    Id = Ids.New(),
                    TenantId = tenantId,
                    SubscriptionId = subscriptionId,
                    PeriodNo = 1,
                    PlanId = plan.Id,
                    Kind = PlanPeriodKind.Purchase,
                    StartAt = start,
                    EndAt = end,
                    PriceMicroYuan = plan.PriceMicroYuan,
                    CreditMicroYuan = plan.CreditMicroYuan,
                    LedgerKey = key,
                    PaidAt = now,
                });
                PlanCreditBook.Add(db, tenantId, PlanCreditPots.Grant(wallet, plan.Credit, end), subscriptionId, 1, now);
                audit.Add(db, "plans.subscribed", nameof(PlanSubscription), subscriptionId,
                    LocalizedText.Encode(command.AutoRenew ? "{0} {1} → {2} credit until {3}, auto-renew on" : "{0} {1} → {2} credit until {3}, auto-renew off", plan.Name, plan.Price.ToDisplay(), plan.Credit.ToDisplay(), ChinaTime.Format(end)), tenantId);
                return true;
            }, cancellationToken);

            if (!posted.IsSuccess)
            {
                if (insufficient) return PlanErrors.InsufficientBalance;
                return posted.Error == Ledger.ClaimRejected ? await AlreadyBoughtAsync(subscriptionId, cancellationToken) : posted.Error!;
            }

            if (posted.Value!.AlreadyApplied) return await AlreadyBoughtAsync(subscriptionId, cancellationToken);
            return new Purchased(subscriptionId, plan.Name, plan.Price, plan.Credit, end,
                new Money(carried?.AmountMicroYuan ?? 0), carried?.ExpiresAt, AlreadyApplied: false);
        }

        private async Task<Result<Purchased>> AlreadyBoughtAsync(Guid subscriptionId, CancellationToken cancellationToken)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var period = await db.PlanPeriods.AsNoTracking().Where(p => p.SubscriptionId == subscriptionId && p.PeriodNo == 1)
                .Join(db.Plans, p => p.PlanId, pl => pl.Id, (p, pl) => new { p.PriceMicroYuan, p.CreditMicroYuan, p.EndAt, pl.Name })
                .FirstOrDefaultAsync(cancellationToken);
            if (period is null) return Error.NotFound("Subscription");
            return new Purchased(subscriptionId, period.Name, new Money(period.PriceMicroYuan), new Money(period.CreditMicroYuan), period.EndAt, Money.Zero, null, AlreadyApplied: true);
        }
    }
}
