using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Refunds;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Daily at 10:00 Beijing time: downloads yesterday's Alipay trade bill and compares it with the portal's orders.
/// Refund rows are matched with the portal's Alipay refund parts by out_request_no.
/// Unknown trades, amount and status mismatches and local payments or refunds missing from the bill become
/// <see cref="ReconciliationException"/> rows for the finance queue. Safe to run twice (unique keys).
/// </summary>
public sealed class AlipayBillReconciliationJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    AlipayClient alipay,
    TimeProvider clock,
    ILogger<AlipayBillReconciliationJob> logger)
{
    /// <summary>Hangfire entry point: yesterday (Beijing). Throws when the bill cannot be had, so Hangfire retries.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var result = await ReconcileAsync(ChinaTime.Today(clock).AddDays(-1), cancellationToken);
        if (!result.IsSuccess) throw new InvalidOperationException($"Alipay bill reconciliation failed: {result.Error!.Code} {result.Error.Message}");
    }

    /// <summary>Compares the bill of <paramref name="billDate"/>; returns how many new exceptions were raised.</summary>
    public async Task<Result<int>> ReconcileAsync(DateOnly billDate, CancellationToken cancellationToken = default)
    {
        var url = await alipay.GetBillDownloadUrlAsync(billDate, cancellationToken);
        if (!url.IsSuccess) return url.Error!;
        var bill = await alipay.DownloadBillAsync(url.Value!.Url, cancellationToken);
        if (!bill.IsSuccess) return bill.Error!;
        var rows = bill.Value!;

        // Instants are stored in UTC (PostgreSQL accepts nothing else); the business day is Beijing's.
        var dayStart = new DateTimeOffset(billDate.ToDateTime(TimeOnly.MinValue), AlipayTime.Offset).ToUniversalTime();
        var dayEnd = dayStart.AddDays(1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var billOrderNos = rows.Select(r => r.OutTradeNo).Distinct().ToList();
        var referenced = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking().Where(o => billOrderNos.Contains(o.OrderNo)).ToListAsync(cancellationToken);
        var paidThatDay = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking()
            .Where(o => o.Status == TopUpStatus.Paid && o.PaidAt >= dayStart && o.PaidAt < dayEnd).ToListAsync(cancellationToken);
        var orders = referenced.Concat(paidThatDay).DistinctBy(o => o.Id).ToDictionary(o => o.OrderNo, StringComparer.Ordinal);
        var billRequestNos = rows.Where(r => r.IsRefund && r.RefundRequestNo is not null).Select(r => r.RefundRequestNo!).Distinct().ToList();
        var refundParts = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking()
            .Where(a => a.TopUpOrderId != null && (billRequestNos.Contains(a.OutRequestNo)
                || (a.Kind == RefundAllocationKind.Alipay && a.Status == RefundAllocationStatus.Succeeded && a.CompletedAt >= dayStart && a.CompletedAt < dayEnd)))
            .Join(db.TopUpOrders.IgnoreTenantFilter(), a => a.TopUpOrderId, o => o.Id, (a, o) => new { Part = a, Order = o })
            .ToListAsync(cancellationToken);
        var partsByRequestNo = refundParts.ToDictionary(p => p.Part.OutRequestNo, StringComparer.Ordinal);

        var found = new List<ReconciliationException>();
        void Raise(ReconciliationIssue issue, string outTradeNo, string? tradeNo, TopUpOrder? order, long? billAmount, string detail, string? suffix = null) =>
            found.Add(ReconciliationQueue.Raise("", billDate, issue, outTradeNo, tradeNo, order, billAmount, detail, suffix, clock.GetUtcNow()));

        foreach (var row in rows)
        {
            orders.TryGetValue(row.OutTradeNo, out var order);
            if (row.IsRefund)
            {
                var suffix = row.RefundRequestNo ?? row.TradeNo;
                if (row.RefundRequestNo is null || !partsByRequestNo.TryGetValue(row.RefundRequestNo, out var refund) || refund.Order.OrderNo != row.OutTradeNo)
                    Raise(ReconciliationIssue.StatusMismatch, row.OutTradeNo, row.TradeNo, order, row.OrderAmountMicroYuan,
                        $"Alipay refunded {AlipayAmount.FormatSigned(row.OrderAmountMicroYuan)} ({row.RefundRequestNo}); the portal has no such refund", suffix);
                else if (Math.Abs(row.OrderAmountMicroYuan) != refund.Part.AmountMicroYuan)
                    Raise(ReconciliationIssue.AmountMismatch, row.OutTradeNo, row.TradeNo, order, row.OrderAmountMicroYuan,
                        $"Bill refund {AlipayAmount.FormatSigned(row.OrderAmountMicroYuan)} ≠ portal refund part {refund.Part.Amount.ToDisplay()} ({row.RefundRequestNo})", suffix);
                else if (refund.Part.Kind != RefundAllocationKind.Alipay || refund.Part.Status != RefundAllocationStatus.Succeeded)
                    Raise(ReconciliationIssue.StatusMismatch, row.OutTradeNo, row.TradeNo, order, row.OrderAmountMicroYuan,
                        $"Alipay refunded {row.RefundRequestNo}; the portal's refund part is {refund.Part.Kind} {refund.Part.Status}", suffix);
            }
            else if (order is null)
            {
                Raise(ReconciliationIssue.UnknownTrade, row.OutTradeNo, row.TradeNo, null, row.OrderAmountMicroYuan, "The bill has a trade for an order the portal does not know");
            }
            else if (order.AmountMicroYuan != row.OrderAmountMicroYuan)
            {
                Raise(ReconciliationIssue.AmountMismatch, row.OutTradeNo, row.TradeNo, order, row.OrderAmountMicroYuan,
                    $"Bill {AlipayAmount.FormatSigned(row.OrderAmountMicroYuan)} ≠ order {order.Amount.ToDisplay()}");
            }
            else if (order.Status != TopUpStatus.Paid)
            {
                Raise(ReconciliationIssue.StatusMismatch, row.OutTradeNo, row.TradeNo, order, row.OrderAmountMicroYuan, $"Paid at Alipay, {order.Status} in the portal");
            }
        }

        var inBill = rows.Where(r => !r.IsRefund).Select(r => r.OutTradeNo).ToHashSet(StringComparer.Ordinal);
        foreach (var order in paidThatDay.Where(o => !inBill.Contains(o.OrderNo)))
            Raise(ReconciliationIssue.MissingInBill, order.OrderNo, order.AlipayTradeNo, order, null, "Paid in the portal on this day but absent from Alipay's bill");
        var refundsInBill = billRequestNos.ToHashSet(StringComparer.Ordinal);
        foreach (var refund in refundParts.Where(p => p.Part.Kind == RefundAllocationKind.Alipay && p.Part.Status == RefundAllocationStatus.Succeeded
                     && p.Part.CompletedAt >= dayStart && p.Part.CompletedAt < dayEnd && !refundsInBill.Contains(p.Part.OutRequestNo)))
            Raise(ReconciliationIssue.MissingInBill, refund.Order.OrderNo, refund.Order.AlipayTradeNo, refund.Order, null,
                $"Refunded {refund.Part.Amount.ToDisplay()} ({refund.Part.OutRequestNo}) in the portal on this day but absent from Alipay's bill", refund.Part.OutRequestNo);

        var added = await ReconciliationQueue.AddNewAsync(db, found, cancellationToken);
        logger.LogInformation("Alipay bill {BillDate}: {Rows} rows, {New} new reconciliation exceptions", billDate, rows.Count, added);
        return added;
    }
}
