using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>
/// Pays out the parts of approved refunds: Alipay parts through <c>alipay.trade.refund</c> with the part's fixed
/// out_request_no, WeChat Pay parts through <c>/v3/refund/domestic/refunds</c> with it as out_refund_no (so any number
/// of retries refunds once), bank parts when finance records the outgoing transfer.
/// Each success is one ledger posting under <c>refund:{part id}</c> that debits the wallet and releases that much of
/// the hold, in one transaction with the part's status. Not authorised here: callers check who may act.
/// </summary>
public sealed class RefundPayouts(
    IDbContextFactory<PortalDbContext> dbFactory,
    Ledger ledger,
    AlipayClient alipay,
    WechatPayClient wechat,
    IOptions<WechatPayOptions> wechatOptions,
    IOptions<PortalOptions> portal,
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
        WechatPayErrors.UnavailableCode,
        WechatPayErrors.InvalidResponseCode,
        WechatPayErrors.InvalidSignatureCode,
        "WechatPay.SYSTEM_ERROR",
        "WechatPay.FREQUENCY_LIMITED",
        "WechatPay.NOT_ENOUGH",
    };

    /// <summary>WeChat Pay accepted the refund but has not finished it (PROCESSING): the part stays Pending and is asked again.</summary>
    public static readonly Error RefundProcessing = new("Refunds.Processing", "The refund is being processed; it completes by notification or the next query.");

    /// <summary>Tries every Pending Alipay or WeChat Pay part of an approved refund once (Failed ones wait for finance).</summary>
    public async Task PayRailPartsAsync(Guid refundId, CancellationToken cancellationToken = default)
    {
        List<Guid> parts;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            parts = await db.RefundAllocations.IgnoreTenantFilter()
                .Where(a => a.RefundRequestId == refundId && (a.Kind == RefundAllocationKind.Alipay || a.Kind == RefundAllocationKind.Wechat) && a.Status == RefundAllocationStatus.Pending)
                .OrderBy(a => a.Position).Select(a => a.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in parts) await PayRailAsync(id, includeFailed: false, cancellationToken);
    }

    /// <summary>
    /// Refunds one Alipay or WeChat Pay part through its rail. True when it is paid out (now or before); an error when
    /// the rail refused it (Failed) or could not say yet (stays Pending, retried by the job: a timeout, or WeChat Pay's
    /// PROCESSING). <paramref name="includeFailed"/>: finance retries a Failed part.
    /// </summary>
    public async Task<Result<bool>> PayRailAsync(Guid allocationId, bool includeFailed, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        RefundAllocation? part;
        string? refundNo;
        TopUpOrder? order;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            part = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, cancellationToken);
            if (part is null) return Error.NotFound("Allocation");
            if (!part.Kind.IsRail()) return RefundErrors.NotAlipay;
            if (part.Status == RefundAllocationStatus.Succeeded) return true;
            if (part.Status == RefundAllocationStatus.Failed && !includeFailed) return RefundErrors.AllocationDone;
            var refund = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().Where(r => r.Id == part.RefundRequestId)
                .Select(r => new { r.RefundNo, r.Status }).SingleAsync(cancellationToken);
            if (refund.Status != RefundStatus.Approved) return RefundErrors.NotApproved;
            refundNo = refund.RefundNo;
            order = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking().SingleAsync(o => o.Id == part.TopUpOrderId, cancellationToken);
            // NOTE: a retried Failed part goes back to Pending before the rail is asked (conditional UPDATE on its status):
            // from then on finance cannot record it as paid by bank, and if finance recorded it first this claims
            // nothing and Alipay is not asked, so the money never leaves both ways.
            var claimed = await db.RefundAllocations.IgnoreTenantFilter()
                .Where(a => a.Id == allocationId && (a.Status == RefundAllocationStatus.Pending || (includeFailed && a.Status == RefundAllocationStatus.Failed)))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, RefundAllocationStatus.Pending)
                    .SetProperty(a => a.Attempts, a => a.Attempts + 1).SetProperty(a => a.LastAttemptAt, now), cancellationToken);
            if (claimed == 0)
            {
                // Paid through its rail meanwhile (the job, or another retry) is success; paid by bank is not this call's.
                var paidByRail = await db.RefundAllocations.IgnoreTenantFilter()
                    .AnyAsync(a => a.Id == allocationId && a.Status == RefundAllocationStatus.Succeeded && a.Kind == part.Kind, cancellationToken);
                return paidByRail ? true : RefundErrors.AllocationDone;
            }
        }

        var orderNo = order.OrderNo;
        var refunded = part.Kind == RefundAllocationKind.Wechat
            ? await RefundByWechatAsync(part, order, refundNo, cancellationToken)
            : await RefundByAlipayAsync(part, orderNo, refundNo, cancellationToken);
        if (!refunded.IsSuccess)
        {
            var processing = refunded.Error == RefundProcessing;
            var retryable = processing || RetryableCodes.Contains(refunded.Error!.Code);
            var error = $"{refunded.Error.Code}: {refunded.Error.Message}";
            if (error.Length > 500) error = error[..500];
            var attempts = part.Attempts + 1;
            DateTimeOffset? next = processing ? now + TimeSpan.FromMinutes(1) : retryable ? now + TimeSpan.FromMinutes(Math.Min(60, 1 << Math.Min(attempts - 1, 6))) : null;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // NOTE: conditional on not Succeeded: a concurrent retry that succeeded is never marked failed afterwards.
            await db.RefundAllocations.IgnoreTenantFilter().Where(a => a.Id == allocationId && a.Status != RefundAllocationStatus.Succeeded)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, retryable ? RefundAllocationStatus.Pending : RefundAllocationStatus.Failed)
                    .SetProperty(a => a.LastError, error).SetProperty(a => a.NextAttemptAt, next), cancellationToken);
            logger.LogWarning("{Kind} refund {OutRequestNo} of order {OrderNo} not done ({Retry}): {Error}", part.Kind, part.OutRequestNo, orderNo, retryable ? "will retry" : "refused", error);
            return refunded.Error;
        }

        var memo = part.Kind == RefundAllocationKind.Wechat
            ? LocalizedText.Encode("Refund {0} to WeChat Pay {1}", refundNo, orderNo)
            : LocalizedText.Encode("Refund {0} to Alipay {1}", refundNo, orderNo);
        return await SettleAsync(part, refundNo, memo, (refunded.Value ?? now).ToUniversalTime(), bankReference: null, cancellationToken);
    }

    /// <summary>When Alipay refunded; fund_change = N means an earlier call with this out_request_no already did: still paid out.</summary>
    private async Task<Result<DateTimeOffset?>> RefundByAlipayAsync(RefundAllocation part, string orderNo, string refundNo, CancellationToken cancellationToken)
    {
        var refunded = await alipay.RefundAsync(new AlipayRefundRequest(orderNo, part.OutRequestNo, part.AmountMicroYuan, $"Portal 余额退款 {refundNo}"), cancellationToken);
        if (!refunded.IsSuccess) return refunded.Error!;
        return refunded.Value!.OutTradeNo == orderNo
            ? refunded.Value.RefundedAt
            : new Error(AlipayErrors.InvalidResponseCode, $"Alipay answered for order {refunded.Value.OutTradeNo}, not {orderNo}.");
    }

    /// <summary>
    /// When WeChat Pay refunded. After the first attempt the refund is queried first (its answer may have been lost);
    /// only a refund WeChat Pay does not know is requested (again), always with the same out_refund_no. PROCESSING →
    /// <see cref="RefundProcessing"/>; ABNORMAL or CLOSED → refused (finance pays it by bank or retries).
    /// </summary>
    private async Task<Result<DateTimeOffset?>> RefundByWechatAsync(RefundAllocation part, TopUpOrder order, string refundNo, CancellationToken cancellationToken)
    {
        Result<WechatPayRefund> refund = part.Attempts > 0 ? await wechat.QueryRefundAsync(part.OutRequestNo, cancellationToken) : WechatPayErrors.InvalidResponse("not asked yet");
        if (part.Attempts == 0 || (!refund.IsSuccess && refund.Error!.Code == WechatPayErrors.ResourceNotExists))
        {
            refund = await wechat.RefundAsync(new WechatPayRefundRequest(order.OrderNo, part.OutRequestNo, part.AmountMicroYuan, order.AmountMicroYuan,
                $"Portal 余额退款 {refundNo}", wechatOptions.Value.ResolveNotifyUrl(portal.Value)), cancellationToken);
        }

        if (!refund.IsSuccess) return refund.Error!;
        var r = refund.Value!;
        if (r.OutRefundNo != part.OutRequestNo || (r.OutTradeNo.Length > 0 && r.OutTradeNo != order.OrderNo) || r.RefundMicroYuan != part.AmountMicroYuan)
            return WechatPayErrors.InvalidResponse($"WeChat Pay answered for refund {r.OutRefundNo} of {r.OutTradeNo} ({r.RefundFen} fen), not {part.OutRequestNo}.");
        return r.Status switch
        {
            "SUCCESS" => r.SuccessTime,
            "PROCESSING" => RefundProcessing,
            _ => new Error("WechatPay.REFUND_" + r.Status, $"WeChat Pay reports the refund {r.Status}."),
        };
    }

    /// <summary>
    /// A verified REFUND.* notification for a WeChat part: SUCCESS settles it (once, like every other path), ABNORMAL or
    /// CLOSED marks it Failed for finance. The notification's refund number, order and amount must be the part's.
    /// </summary>
    public async Task<Result<string>> SettleWechatNotificationAsync(string outRefundNo, string outTradeNo, string status, long refundMicroYuan, DateTimeOffset? successTime, CancellationToken cancellationToken = default)
    {
        RefundAllocation? part;
        string refundNo;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            part = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(a => a.OutRequestNo == outRefundNo && a.Kind == RefundAllocationKind.Wechat, cancellationToken);
            if (part is null) return new Error("Refunds.UnknownRefund", $"unknown out_refund_no {outRefundNo}");
            var orderNo = await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == part.TopUpOrderId).Select(o => o.OrderNo).SingleAsync(cancellationToken);
            if (orderNo != outTradeNo || refundMicroYuan != part.AmountMicroYuan)
                return new Error("Refunds.Mismatch", $"refund {outRefundNo} is for {orderNo} {part.Amount.ToDisplay()}, not {outTradeNo} {new Money(refundMicroYuan).ToDisplay()}");
            if (part.Status == RefundAllocationStatus.Succeeded) return "already settled";
            refundNo = await db.RefundRequests.IgnoreTenantFilter().Where(r => r.Id == part.RefundRequestId).Select(r => r.RefundNo).SingleAsync(cancellationToken);
            if (status != "SUCCESS")
            {
                await db.RefundAllocations.IgnoreTenantFilter().Where(a => a.Id == part.Id && a.Status == RefundAllocationStatus.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, RefundAllocationStatus.Failed).SetProperty(a => a.LastError, $"WeChat Pay: refund {status}")
                        .SetProperty(a => a.NextAttemptAt, (DateTimeOffset?)null), cancellationToken);
                return $"refund {status}: part left to finance";
            }
        }

        var settled = await SettleAsync(part, refundNo, LocalizedText.Encode("Refund {0} to WeChat Pay {1}", refundNo, outTradeNo), (successTime ?? clock.GetUtcNow()).ToUniversalTime(), bankReference: null, cancellationToken);
        return settled.IsSuccess || settled.Error == RefundErrors.AllocationDone ? "refund settled" : settled.Error!;
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

    /// <summary>Bank parts are paid by bank; so are Alipay and WeChat Pay parts that their rail definitively refused.</summary>
    public static bool BankPayable(RefundAllocationKind kind, RefundAllocationStatus status) =>
        (kind == RefundAllocationKind.Bank && status == RefundAllocationStatus.Pending) || (kind.IsRail() && status == RefundAllocationStatus.Failed);

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
        audit.Add(db, "payments.refund_completed", nameof(RefundRequest), refund.Id, LocalizedText.Encode("{0} {1} paid out", refund.RefundNo, refund.Amount.ToDisplay()), refund.TenantId);
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
            // claim a Pending bank part or a Failed rail part, so a rail part being paid is never paid twice.
            var claim = db.RefundAllocations.IgnoreTenantFilter().Where(a => a.Id == part.Id);
            var railKind = part.Kind;
            claim = bankReference is null
                ? claim.Where(a => a.Kind == railKind && a.Kind != RefundAllocationKind.Bank && a.Status != RefundAllocationStatus.Succeeded)
                : claim.Where(a => (a.Kind == RefundAllocationKind.Bank && a.Status == RefundAllocationStatus.Pending)
                    || ((a.Kind == RefundAllocationKind.Alipay || a.Kind == RefundAllocationKind.Wechat) && a.Status == RefundAllocationStatus.Failed));
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
        // means the part was paid another way meanwhile (through its rail): finance must hear it, not "recorded".
        if (bankReference is not null && result.Value!.AlreadyApplied) return RefundErrors.AllocationDone;
        await TryCompleteAsync(part.RefundRequestId, cancellationToken);
        return true;
    }
}
