using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Refunds;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>
/// Daily at 10:30 Beijing time: downloads yesterday's WeChat Pay trade bill (SHA1 checked) and compares it with the
/// portal's WeChat orders and refund parts. Unknown orders, amount mismatches, payments WeChat Pay has that the portal
/// does not count as paid, and local payments or refunds missing from the bill become <see cref="ReconciliationException"/>
/// rows in the finance queue (keys prefixed <c>wechat:</c>). Safe to run twice (unique keys).
/// </summary>
public sealed class WechatPayBillReconciliationJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    WechatPayClient wechat,
    IOptions<WechatPayOptions> options,
    TimeProvider clock,
    ILogger<WechatPayBillReconciliationJob> logger)
{
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var result = await ReconcileAsync(ChinaTime.Today(clock).AddDays(-1), cancellationToken);
        if (!result.IsSuccess) throw new InvalidOperationException($"WeChat Pay bill reconciliation failed: {result.Error!.Code} {result.Error.Message}");
    }

    /// <summary>Compares the bill of <paramref name="billDate"/>; returns how many new exceptions were raised.</summary>
    public async Task<Result<int>> ReconcileAsync(DateOnly billDate, CancellationToken cancellationToken = default)
    {
        var csv = await wechat.DownloadTradeBillAsync(billDate, cancellationToken);
        if (!csv.IsSuccess) return csv.Error!;
        var parsed = WechatPayBill.Parse(csv.Value!);
        if (!parsed.IsSuccess) return parsed.Error!;
        var lines = parsed.Value!.Where(l => l.MchId == options.Value.MchId).ToList();

        var dayStart = new DateTimeOffset(billDate.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).ToUniversalTime();
        var dayEnd = dayStart.AddDays(1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var billOrderNos = lines.Select(l => l.OutTradeNo).Distinct().ToList();
        var referenced = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking().Where(o => billOrderNos.Contains(o.OrderNo)).ToListAsync(cancellationToken);
        var paidThatDay = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking()
            .Where(o => o.Status == TopUpStatus.Paid && o.WechatTransactionId != null && o.PaidAt >= dayStart && o.PaidAt < dayEnd).ToListAsync(cancellationToken);
        var orders = referenced.Concat(paidThatDay).DistinctBy(o => o.Id).ToDictionary(o => o.OrderNo, StringComparer.Ordinal);
        var billRefundNos = lines.Where(l => l.IsRefund && l.OutRefundNo is not null).Select(l => l.OutRefundNo!).Distinct().ToList();
        var refundParts = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking()
            .Where(a => a.TopUpOrderId != null && (billRefundNos.Contains(a.OutRequestNo)
                || (a.Kind == RefundAllocationKind.Wechat && a.Status == RefundAllocationStatus.Succeeded && a.CompletedAt >= dayStart && a.CompletedAt < dayEnd)))
            .Join(db.TopUpOrders.IgnoreTenantFilter(), a => a.TopUpOrderId, o => o.Id, (a, o) => new { Part = a, Order = o })
            .ToListAsync(cancellationToken);
        var partsByRefundNo = refundParts.ToDictionary(p => p.Part.OutRequestNo, StringComparer.Ordinal);

        var found = new List<ReconciliationException>();
        void Raise(ReconciliationIssue issue, string outTradeNo, string? tradeNo, TopUpOrder? order, long? billAmount, string detail, string? suffix = null) =>
            found.Add(ReconciliationQueue.Raise("wechat:", billDate, issue, outTradeNo, tradeNo, order, billAmount, "WeChat Pay: " + detail, suffix, clock.GetUtcNow()));

        foreach (var line in lines)
        {
            orders.TryGetValue(line.OutTradeNo, out var order);
            if (line.IsRefund)
            {
                var suffix = line.OutRefundNo ?? line.RefundId ?? line.TransactionId;
                if (line.OutRefundNo is null || !partsByRefundNo.TryGetValue(line.OutRefundNo, out var refund) || refund.Order.OrderNo != line.OutTradeNo)
                    Raise(ReconciliationIssue.StatusMismatch, line.OutTradeNo, line.TransactionId, order, line.RefundMicroYuan,
                        $"refunded {new Money(line.RefundMicroYuan).ToDisplay()} ({line.OutRefundNo}); the portal has no such refund", suffix);
                else if (line.RefundMicroYuan != refund.Part.AmountMicroYuan)
                    Raise(ReconciliationIssue.AmountMismatch, line.OutTradeNo, line.TransactionId, order, line.RefundMicroYuan,
                        $"bill refund {new Money(line.RefundMicroYuan).ToDisplay()} ≠ portal refund part {refund.Part.Amount.ToDisplay()} ({line.OutRefundNo})", suffix);
                else if (refund.Part.Kind != RefundAllocationKind.Wechat || refund.Part.Status != RefundAllocationStatus.Succeeded)
                    Raise(ReconciliationIssue.StatusMismatch, line.OutTradeNo, line.TransactionId, order, line.RefundMicroYuan,
                        $"refunded {line.OutRefundNo}; the portal's refund part is {refund.Part.Kind} {refund.Part.Status}", suffix);
            }
            else if (order is null)
            {
                Raise(ReconciliationIssue.UnknownTrade, line.OutTradeNo, line.TransactionId, null, line.SettlementMicroYuan, "the bill has a payment for an order the portal does not know");
            }
            else if (order.AmountMicroYuan != line.SettlementMicroYuan)
            {
                Raise(ReconciliationIssue.AmountMismatch, line.OutTradeNo, line.TransactionId, order, line.SettlementMicroYuan,
                    $"bill {new Money(line.SettlementMicroYuan).ToDisplay()} ≠ order {order.Amount.ToDisplay()}");
            }
            else if (order.Status != TopUpStatus.Paid || order.WechatTransactionId != line.TransactionId)
            {
                Raise(ReconciliationIssue.StatusMismatch, line.OutTradeNo, line.TransactionId, order, line.SettlementMicroYuan,
                    $"paid at WeChat Pay ({line.TransactionId}), {order.Status} in the portal ({order.WechatTransactionId ?? "no transaction"})");
            }
        }

        var inBill = lines.Where(l => !l.IsRefund).Select(l => l.OutTradeNo).ToHashSet(StringComparer.Ordinal);
        foreach (var order in paidThatDay.Where(o => !inBill.Contains(o.OrderNo)))
            Raise(ReconciliationIssue.MissingInBill, order.OrderNo, order.WechatTransactionId, order, null, "paid in the portal on this day but absent from WeChat Pay's bill");
        var refundsInBill = billRefundNos.ToHashSet(StringComparer.Ordinal);
        foreach (var refund in refundParts.Where(p => p.Part.Kind == RefundAllocationKind.Wechat && p.Part.Status == RefundAllocationStatus.Succeeded
                     && p.Part.CompletedAt >= dayStart && p.Part.CompletedAt < dayEnd && !refundsInBill.Contains(p.Part.OutRequestNo)))
            Raise(ReconciliationIssue.MissingInBill, refund.Order.OrderNo, refund.Order.WechatTransactionId, refund.Order, null,
                $"refunded {refund.Part.Amount.ToDisplay()} ({refund.Part.OutRequestNo}) in the portal on this day but absent from WeChat Pay's bill", refund.Part.OutRequestNo);

        var added = await ReconciliationQueue.AddNewAsync(db, found, cancellationToken);
        logger.LogInformation("WeChat Pay bill {BillDate}: {Lines} lines, {New} new reconciliation exceptions", billDate, lines.Count, added);
        return added;
    }
}
