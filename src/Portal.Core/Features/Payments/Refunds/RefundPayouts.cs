using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>
/// Pays out the parts of approved refunds: Alipay parts through <c>alipay.trade.refund</c> with the part's fixed
/// out_request_no (so any number of retries refunds once), bank parts when finance records the outgoing transfer.
/// Each success is one ledger posting under <c>refund:{part id}</c> that debits the wallet and releases that much of
/// the hold, in one transaction with the part's status. Not authorised here: callers check who may act.
/// </summary>
public sealed class RefundPayouts(
    IDbContextFactory<PortalDbContext> dbFactory,
    Ledger ledger,
    AlipayClient alipay,
    ICurrentUser currentUser,
    AuditLog audit,
    EmailOutbox outbox,
    EmailTemplates templates,
    TimeProvider clock,
    ILogger<RefundPayouts> logger)
{
    /// <summary>Failures after which asking again with the same out_request_no is the documented way forward.</summary>
    private static readonly HashSet<string> RetryableCodes = new(StringComparer.Ordinal)
    {
        AlipayErrors.UnavailableCode,
        AlipayErrors.InvalidResponseCode,
        AlipayErrors.InvalidSignatureCode,
        AlipayErrors.UnsignedResponseCode,
        "Alipay.ACQ.SYSTEM_ERROR",
        "Alipay.20000",
        "Alipay.aop.ACQ.SYSTEM_ERROR",
    };

    /// <summary>Tries every Pending Alipay part of an approved refund once (Failed ones wait for finance).</summary>
    public async Task PayAlipayPartsAsync(Guid refundId, CancellationToken cancellationToken = default)
    {
        List<Guid> parts;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            parts = await db.RefundAllocations.IgnoreTenantFilter()
                .Where(a => a.RefundRequestId == refundId && a.Kind == RefundAllocationKind.Alipay && a.Status == RefundAllocationStatus.Pending)
                .OrderBy(a => a.Position).Select(a => a.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in parts) await PayAlipayAsync(id, includeFailed: false, cancellationToken);
    }

    /// <summary>
    /// Refunds one Alipay part. True when it is paid out (now or before); an error when Alipay refused it (Failed)
    /// or could not say (stays Pending, retried by the job). <paramref name="includeFailed"/>: finance retries a Failed part.
    /// </summary>
    public async Task<Result<bool>> PayAlipayAsync(Guid allocationId, bool includeFailed, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        RefundAllocation? part;
        string? refundNo;
        string? orderNo;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            part = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, cancellationToken);
            if (part is null) return Error.NotFound("Allocation");
            if (part.Kind != RefundAllocationKind.Alipay) return RefundErrors.NotAlipay;
            if (part.Status == RefundAllocationStatus.Succeeded) return true;
            if (part.Status == RefundAllocationStatus.Failed && !includeFailed) return RefundErrors.AllocationDone;
            var refund = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().Where(r => r.Id == part.RefundRequestId)
                .Select(r => new { r.RefundNo, r.Status }).SingleAsync(cancellationToken);
            if (refund.Status != RefundStatus.Approved) return RefundErrors.NotApproved;
            refundNo = refund.RefundNo;
            orderNo = await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == part.TopUpOrderId).Select(o => o.OrderNo).SingleAsync(cancellationToken);
            // NOTE: a retried Failed part goes back to Pending before Alipay is asked (conditional UPDATE on its status):
            // from then on finance cannot record it as paid by bank, and if finance recorded it first this claims
            // nothing and Alipay is not asked, so the money never leaves both ways.
            var claimed = await db.RefundAllocations.IgnoreTenantFilter()
                .Where(a => a.Id == allocationId && (a.Status == RefundAllocationStatus.Pending || (includeFailed && a.Status == RefundAllocationStatus.Failed)))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, RefundAllocationStatus.Pending)
                    .SetProperty(a => a.Attempts, a => a.Attempts + 1).SetProperty(a => a.LastAttemptAt, now), cancellationToken);
            if (claimed == 0)
            {
                // Paid through Alipay meanwhile (the job, or another retry) is success; paid by bank is not this call's.
                var paidByAlipay = await db.RefundAllocations.IgnoreTenantFilter()
                    .AnyAsync(a => a.Id == allocationId && a.Status == RefundAllocationStatus.Succeeded && a.Kind == RefundAllocationKind.Alipay, cancellationToken);
                return paidByAlipay ? true : RefundErrors.AllocationDone;
            }
        }

        var refunded = await alipay.RefundAsync(new AlipayRefundRequest(orderNo, part.OutRequestNo, part.AmountMicroYuan, $"Portal 余额退款 {refundNo}"), cancellationToken);
        if (refunded.IsSuccess && refunded.Value!.OutTradeNo != orderNo)
            refunded = new Error(AlipayErrors.InvalidResponseCode, $"Alipay answered for order {refunded.Value.OutTradeNo}, not {orderNo}.");
        if (!refunded.IsSuccess)
        {
            var retryable = RetryableCodes.Contains(refunded.Error!.Code);
            var error = $"{refunded.Error.Code}: {refunded.Error.Message}";
            if (error.Length > 500) error = error[..500];
            var attempts = part.Attempts + 1;
            DateTimeOffset? next = retryable ? now + TimeSpan.FromMinutes(Math.Min(60, 1 << Math.Min(attempts - 1, 6))) : null;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // NOTE: conditional on not Succeeded: a concurrent retry that succeeded is never marked failed afterwards.
            await db.RefundAllocations.IgnoreTenantFilter().Where(a => a.Id == allocationId && a.Status != RefundAllocationStatus.Succeeded)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, retryable ? RefundAllocationStatus.Pending : RefundAllocationStatus.Failed)
                    .SetProperty(a => a.LastError, error).SetProperty(a => a.NextAttemptAt, next), cancellationToken);
            logger.LogWarning("Alipay refund {OutRequestNo} of order {OrderNo} failed ({Retry}): {Error}", part.OutRequestNo, orderNo, retryable ? "will retry" : "refused", error);
            return refunded.Error;
        }

        // fund_change = N means an earlier call with this out_request_no already moved the money: still paid out.
        var paidAt = (refunded.Value!.RefundedAt ?? now).ToUniversalTime();
        return await SettleAsync(part, refundNo, LocalizedText.Encode("Refund {0} to Alipay {1}", refundNo, orderNo), paidAt, bankReference: null, cancellationToken);
    }

    /// <summary>
    /// Finance paid a part by bank: a Pending bank part, or an Alipay part Alipay refused (it becomes a bank part).
    /// Debits the wallet under <c>refund:{part id}</c> with the outgoing bank reference.
    /// </summary>
    public async Task<Result<bool>> CompleteByBankAsync(Guid allocationId, string bankReference, CancellationToken cancellationToken = default)
    {
        var reference = bankReference.Trim();
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        RefundAllocation? part;
        string refundNo;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            part = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, cancellationToken);
            if (part is null) return Error.NotFound("Allocation");
            if (part.Status == RefundAllocationStatus.Succeeded) return RefundErrors.AllocationDone;
            if (!BankPayable(part.Kind, part.Status)) return RefundErrors.NotBankPayable;
            var refund = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().Where(r => r.Id == part.RefundRequestId)
                .Select(r => new { r.RefundNo, r.Status }).SingleAsync(cancellationToken);
            if (refund.Status != RefundStatus.Approved) return RefundErrors.NotApproved;
            refundNo = refund.RefundNo;
        }

        return await SettleAsync(part, refundNo, LocalizedText.Encode("Refund {0} by bank transfer {1}", refundNo, reference), clock.GetUtcNow(), reference, cancellationToken);
    }

    /// <summary>Bank parts are paid by bank; so are Alipay parts that Alipay definitively refused.</summary>
    public static bool BankPayable(RefundAllocationKind kind, RefundAllocationStatus status) =>
        (kind == RefundAllocationKind.Bank && status == RefundAllocationStatus.Pending) || (kind == RefundAllocationKind.Alipay && status == RefundAllocationStatus.Failed);

    /// <summary>Approved refunds whose every part is paid become Completed (the job's safety net after a crash).</summary>
    public async Task TryCompleteAsync(Guid refundId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // NOTE: one conditional UPDATE (Approved and no unpaid part): of two parts finishing at once, the later
        // commit sees both paid; only one caller flips the refund, so the audit entry and the email are written once.
        var completed = await db.RefundRequests.IgnoreTenantFilter()
            .Where(r => r.Id == refundId && r.Status == RefundStatus.Approved
                && !db.RefundAllocations.IgnoreTenantFilter().Any(a => a.RefundRequestId == refundId && a.Status != RefundAllocationStatus.Succeeded))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RefundStatus.Completed).SetProperty(r => r.CompletedAt, now), cancellationToken);
        if (completed == 0) return;
        var refund = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().SingleAsync(r => r.Id == refundId, cancellationToken);
        audit.Add(db, "payments.refund_completed", nameof(RefundRequest), refund.Id, $"{refund.RefundNo} {refund.Amount.ToDisplay()} paid out", refund.TenantId);
        await KycOwnerMail.SendAsync(db, outbox, refund.TenantId, (culture, tenantName) =>
            templates.Notice(culture, "Refund completed",
                "The refund {0} of {1} for {2} is complete: the money has been paid back.",
                refund.RefundNo, refund.Amount.ToDisplay(), tenantName),
            "RefundCompleted", cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<Result<bool>> SettleAsync(RefundAllocation part, string refundNo, string memo, DateTimeOffset paidAt, string? bankReference, CancellationToken cancellationToken)
    {
        var amount = part.AmountMicroYuan;
        var actor = currentUser.UserId is null ? "system" : currentUser.Name;
        var posting = new LedgerPosting(part.TenantId, new Money(-amount), LedgerEntryKind.Refund, part.LedgerKey, memo, "wallet.refunded", refundNo, FromHold: true);
        var result = await ledger.PostAsync(posting, async (db, ct) =>
        {
            // NOTE: the claim is a conditional UPDATE on the part's status inside the ledger's transaction: of the job
            // and a finance user's retry finishing the same part at once, one debits; the other changes no row and
            // rolls back (the unique ledger key refund:{id} is the second line of defence). A bank payment can only
            // claim a Pending bank part or a Failed Alipay part, so an Alipay part being paid is never paid twice.
            var claim = db.RefundAllocations.IgnoreTenantFilter().Where(a => a.Id == part.Id);
            claim = bankReference is null
                ? claim.Where(a => a.Kind == RefundAllocationKind.Alipay && a.Status != RefundAllocationStatus.Succeeded)
                : claim.Where(a => (a.Kind == RefundAllocationKind.Bank && a.Status == RefundAllocationStatus.Pending)
                    || (a.Kind == RefundAllocationKind.Alipay && a.Status == RefundAllocationStatus.Failed));
            var claimed = await claim.ExecuteUpdateAsync(s =>
            {
                s.SetProperty(a => a.Status, RefundAllocationStatus.Succeeded).SetProperty(a => a.CompletedAt, paidAt).SetProperty(a => a.CompletedBy, actor)
                    .SetProperty(a => a.NextAttemptAt, (DateTimeOffset?)null);
                if (bankReference is not null) s.SetProperty(a => a.Kind, RefundAllocationKind.Bank).SetProperty(a => a.BankReference, bankReference);
            }, ct) == 1;
            if (!claimed) return false;
            var held = await db.RefundRequests.IgnoreTenantFilter()
                .Where(r => r.Id == part.RefundRequestId && r.Status == RefundStatus.Approved && r.HeldMicroYuan >= amount)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeldMicroYuan, r => r.HeldMicroYuan - amount), ct);
            if (held != 1) throw new InvalidOperationException($"Refund {refundNo} holds less than its part {part.Position}.");
            if (bankReference is null)
            {
                var order = await db.TopUpOrders.IgnoreTenantFilter()
                    .Where(o => o.Id == part.TopUpOrderId && o.RefundedMicroYuan + amount <= o.AmountMicroYuan)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.RefundedMicroYuan, o => o.RefundedMicroYuan + amount), ct);
                if (order != 1) throw new InvalidOperationException($"Refund {refundNo} part {part.Position} exceeds its top-up.");
            }

            return true;
        }, cancellationToken);

        if (!result.IsSuccess)
        {
            if (result.Error == Ledger.ClaimRejected) return RefundErrors.AllocationDone;
            logger.LogError("Refund {RefundNo} part {Position} was paid out but could not be debited: {Error}", refundNo, part.Position, result.Error!.Message);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.RefundAllocations.IgnoreTenantFilter().Where(a => a.Id == part.Id && a.Status != RefundAllocationStatus.Succeeded)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastError, $"Paid out but not debited: {result.Error.Code}"), cancellationToken);
            return result.Error;
        }

        // NOTE: the ledger answers a second posting under refund:{part id} with the first one. For a bank payment that
        // means the part was paid another way meanwhile (Alipay): finance must hear it, not "recorded".
        if (bankReference is not null && result.Value!.AlreadyApplied) return RefundErrors.AllocationDone;
        await TryCompleteAsync(part.RefundRequestId, cancellationToken);
        return true;
    }
}
