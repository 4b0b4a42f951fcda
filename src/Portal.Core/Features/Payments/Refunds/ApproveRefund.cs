using Portal.Core.Localization;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Payments.BankTransfer;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>
/// A finance user approves a requested refund. In one transaction the refund becomes Approved and is split into
/// allocations (<see cref="RefundAllocator"/>: the tenant's most recent Alipay and WeChat Pay top-ups first, then bank);
/// then those parts are refunded through their rail right away. Bank parts wait until finance records the outgoing transfer.
/// </summary>
public static class ApproveRefund
{
    public sealed record Command(Guid RefundId);

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        ICurrentUser currentUser,
        AuditLog audit,
        EmailOutbox outbox,
        EmailTemplates templates,
        RefundPayouts payouts,
        RefundQueries queries,
        IOptionsMonitor<PaymentsOptions> options,
        TimeProvider clock)
    {
        public async Task<Result<RefundView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var actor = await access.RequireFinanceAsync(db, cancellationToken);
                if (!actor.IsSuccess) return actor.Error!;
                var refund = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(r => r.Id == command.RefundId, cancellationToken);
                if (refund is null) return Error.NotFound("Refund");
                if (refund.Status != RefundStatus.Requested) return RefundErrors.NotRequested;

                var now = clock.GetUtcNow();
                var tenantId = refund.TenantId;
                using var platform = db.EnterPlatformScope();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // NOTE: the wallet row's lock first: approvals of the same tenant run one after the other, so the
                // second sees the first's allocations and no top-up is promised twice. Then the conditional UPDATE
                // on Requested: of two finance users approving at once one creates allocations, the other is refused.
                await RefundHolds.LockWalletAsync(db, tenantId, now, cancellationToken);
                var claimed = await db.RefundRequests.IgnoreTenantFilter().Where(r => r.Id == refund.Id && r.Status == RefundStatus.Requested)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RefundStatus.Approved).SetProperty(r => r.DecidedBy, currentUser.Name).SetProperty(r => r.DecidedAt, now), cancellationToken);
                if (claimed == 0) return RefundErrors.NotRequested;

                var plan = RefundAllocator.Allocate(refund.Amount, await RailSourcesAsync(db, tenantId, now, cancellationToken), await BankSourcesAsync(db, tenantId, cancellationToken));
                var index = 0;
                foreach (var part in plan)
                {
                    index++;
                    db.RefundAllocations.Add(new RefundAllocation
                    {
                        Id = Ids.New(),
                        TenantId = tenantId,
                        RefundRequestId = refund.Id,
                        Position = index,
                        Kind = part.Kind,
                        TopUpOrderId = part.TopUpOrderId,
                        BankTransferOrderId = part.BankTransferOrderId,
                        AmountMicroYuan = part.Amount.MicroYuan,
                        OutRequestNo = RefundNumbers.OutRequestNo(refund.RefundNo, index),
                        Status = RefundAllocationStatus.Pending,
                    });
                }

                var alipayPart = plan.Where(p => p.Kind == RefundAllocationKind.Alipay).Aggregate(Money.Zero, (sum, p) => sum + p.Amount);
                var wechatPart = plan.Where(p => p.Kind == RefundAllocationKind.Wechat).Aggregate(Money.Zero, (sum, p) => sum + p.Amount);
                var bankPart = refund.Amount - alipayPart - wechatPart;
                audit.Add(db, "payments.refund_approved", nameof(RefundRequest), refund.Id,
                    LocalizedText.Encode("{0} {1}: Alipay {2}, WeChat Pay {3}, bank {4} in {5} part(s)", refund.RefundNo, refund.Amount.ToDisplay(), alipayPart.ToDisplay(), wechatPart.ToDisplay(), bankPart.ToDisplay(), plan.Count.ToString(CultureInfo.InvariantCulture)), tenantId);
                await KycOwnerMail.SendAsync(db, outbox, tenantId, (culture, tenantName) =>
                    templates.Notice(culture, "Refund approved",
                        "The refund {0} of {1} for {2} was approved: {3} goes back to the Alipay accounts that paid your most recent top-ups and {4} by bank transfer. You will get another email when it is complete.",
                        refund.RefundNo, refund.Amount.ToDisplay(), tenantName, (alipayPart + wechatPart).ToDisplay(), bankPart.ToDisplay()),
                    "RefundApproved", cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            // Outside the approval's transaction: a slow or unreachable rail cannot undo the approval, and what
            // is not paid now is retried by the payout job with the same out_request_no.
            await payouts.PayRailPartsAsync(command.RefundId, cancellationToken);
            return await queries.GetAsync(command.RefundId, cancellationToken);
        }

        private async Task<List<RefundSource>> RailSourcesAsync(PortalDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            // Alipay and WeChat Pay refund a payment only for a limited time after it (a year at both).
            var since = now - TimeSpan.FromDays(options.CurrentValue.AlipayRefundWindowDays);
            var rows = await db.TopUpOrders.IgnoreTenantFilter()
                .Where(o => o.TenantId == tenantId && o.Status == TopUpStatus.Paid && (o.AlipayTradeNo != null || o.WechatTransactionId != null) && o.PaidAt >= since)
                .Select(o => new
                {
                    o.Id,
                    o.PaidAt,
                    Wechat = o.WechatTransactionId != null,
                    Remaining = o.AmountMicroYuan - (db.RefundAllocations.IgnoreTenantFilter()
                        .Where(a => a.TopUpOrderId == o.Id && (a.Kind == RefundAllocationKind.Alipay || a.Kind == RefundAllocationKind.Wechat)).Sum(a => (long?)a.AmountMicroYuan) ?? 0),
                })
                .Where(o => o.Remaining > 0)
                .ToListAsync(cancellationToken);
            return rows.Select(r => new RefundSource(r.Id, r.PaidAt!.Value, new Money(r.Remaining), r.Wechat ? RefundAllocationKind.Wechat : RefundAllocationKind.Alipay)).ToList();
        }

        private static async Task<List<RefundSource>> BankSourcesAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken)
        {
            var rows = await db.BankTransferOrders.IgnoreTenantFilter()
                .Where(o => o.TenantId == tenantId && o.Status == BankTransferStatus.Confirmed)
                .Select(o => new
                {
                    o.Id,
                    At = o.ClosedAt ?? o.CreatedAt,
                    Remaining = (o.ReceivedAmountMicroYuan ?? o.AmountMicroYuan) - (db.RefundAllocations.IgnoreTenantFilter()
                        .Where(a => a.BankTransferOrderId == o.Id).Sum(a => (long?)a.AmountMicroYuan) ?? 0),
                })
                .Where(o => o.Remaining > 0)
                .ToListAsync(cancellationToken);
            return rows.Select(r => new RefundSource(r.Id, r.At, new Money(r.Remaining))).ToList();
        }
    }
}
