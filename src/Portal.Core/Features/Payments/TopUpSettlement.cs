using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments;

/// <summary>What became of a paid trade: credited now, or already credited before.</summary>
public sealed record TopUpCredit(Guid OrderId, string OrderNo, bool Credited);

/// <summary>
/// The one path by which a top-up order becomes Paid (with its ledger credit) or is closed. Used by the notify
/// endpoint, the pending-orders job, the return page and cancellation, so that all of them are idempotent the
/// same way. Not tenant-scoped: callers check who may act on the order.
/// </summary>
public sealed class TopUpSettlement(IDbContextFactory<PortalDbContext> dbFactory, Ledger ledger, AlipayClient alipay, TimeProvider clock, ILogger<TopUpSettlement> logger)
{
    public const string TradeNotExist = "Alipay.ACQ.TRADE_NOT_EXIST";

    public static readonly Error AmountMismatch = new("Payments.AmountMismatch", "The paid amount differs from the order amount.");

    /// <summary>
    /// Marks the order Paid and credits its amount under the key <c>alipay:{trade_no}</c>, in one transaction.
    /// A second call for the same trade (any source, even concurrently) credits nothing and reports Credited = false.
    /// </summary>
    public async Task<Result<TopUpCredit>> CreditAsync(Guid orderId, string tradeNo, long paidAmountMicroYuan, DateTimeOffset? paidAt, CancellationToken cancellationToken = default)
    {
        TopUpOrder? order;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            order = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        }

        return order is null ? Error.NotFound("Order") : await CreditAsync(order, tradeNo, paidAmountMicroYuan, paidAt, cancellationToken);
    }

    /// <summary>As above, for an order the caller has just read (a snapshot: its status is re-checked atomically).</summary>
    public async Task<Result<TopUpCredit>> CreditAsync(TopUpOrder order, string tradeNo, long paidAmountMicroYuan, DateTimeOffset? paidAt, CancellationToken cancellationToken = default)
    {
        if (order.AmountMicroYuan != paidAmountMicroYuan) return AmountMismatch;
        // A redelivery after the credit committed: nothing to do (the conditional claim below would say the same, slower).
        if (order.Status == TopUpStatus.Paid && order.AlipayTradeNo == tradeNo) return new TopUpCredit(order.Id, order.OrderNo, Credited: false);
        var orderId = order.Id;

        // Alipay's times are Beijing wall-clock; stored instants are UTC.
        var paidAtValue = (paidAt ?? clock.GetUtcNow()).ToUniversalTime();
        var posting = new LedgerPosting(order.TenantId, order.Amount, LedgerEntryKind.TopUp, $"alipay:{tradeNo}", LocalizedText.Encode("Alipay top-up {0}", order.OrderNo), "wallet.topped_up", order.OrderNo);
        // NOTE: the claim is a conditional UPDATE (status <> Paid) in the ledger's transaction: of N concurrent
        // deliveries one flips the order and credits, the others find 0 rows (after waiting for the winner's row
        // lock) and roll back; the unique ledger key is the second line of defence. Expired or Cancelled orders
        // still become Paid, because money that arrived must be credited.
        var result = await ledger.PostAsync(posting, async (db, ct) =>
            await db.TopUpOrders.IgnoreTenantFilter()
                .Where(o => o.Id == orderId && o.Status != TopUpStatus.Paid)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, TopUpStatus.Paid)
                    .SetProperty(o => o.PaidAt, paidAtValue)
                    .SetProperty(o => o.AlipayTradeNo, tradeNo), ct) == 1,
            cancellationToken);
        if (!result.IsSuccess)
        {
            // The order is already Paid under another trade number: nothing to credit again.
            if (result.Error == Ledger.ClaimRejected) return new TopUpCredit(order.Id, order.OrderNo, Credited: false);
            return result.Error!;
        }

        if (order.Status is TopUpStatus.Expired or TopUpStatus.Cancelled && !result.Value!.AlreadyApplied)
            logger.LogWarning("Order {OrderNo} was {Status} locally but Alipay reports it paid; credited anyway", order.OrderNo, order.Status);
        return new TopUpCredit(order.Id, order.OrderNo, Credited: !result.Value!.AlreadyApplied);
    }

    /// <summary>
    /// Asks Alipay about a Pending order: paid → credited; closed at Alipay → Cancelled (Expired when past expiry);
    /// unpaid past expiry → closed at Alipay, then Expired. Returns the order's status afterwards.
    /// </summary>
    public async Task<TopUpStatus?> RefreshAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        TopUpOrder? order;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            order = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
            if (order is null) return null;
            if (order.Status != TopUpStatus.Pending) return order.Status;
            await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == orderId)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.LastQueriedAt, clock.GetUtcNow()), cancellationToken);
        }

        var now = clock.GetUtcNow();
        var expired = now >= order.ExpiresAt;
        var query = await alipay.QueryAsync(order.OrderNo, cancellationToken);
        if (query.IsSuccess)
        {
            var trade = query.Value!;
            if (trade.IsPaid)
            {
                var credit = await CreditAsync(order.Id, trade.TradeNo, trade.TotalAmountMicroYuan, trade.PaidAt, cancellationToken);
                if (!credit.IsSuccess) logger.LogError("Paid order {OrderNo} could not be credited: {Error}", order.OrderNo, credit.Error!.Message);
                return await StatusAsync(orderId, cancellationToken);
            }

            if (trade.Status == AlipayTradeStatus.TradeClosed)
                return await FinishAsync(orderId, expired ? TopUpStatus.Expired : TopUpStatus.Cancelled, cancellationToken);
            if (!expired) return TopUpStatus.Pending;
        }
        else if (query.Error!.Code != TradeNotExist || !expired)
        {
            if (query.Error.Code != TradeNotExist) logger.LogWarning("Querying order {OrderNo} failed: {Error}", order.OrderNo, query.Error.Message);
            return TopUpStatus.Pending;
        }

        return await CloseAsync(order, TopUpStatus.Expired, cancellationToken);
    }

    /// <summary>
    /// Closes an unpaid order at Alipay, then locally. If Alipay refuses because it was paid meanwhile, the next
    /// query credits it; the order stays Pending until then.
    /// </summary>
    public async Task<TopUpStatus?> CloseAsync(TopUpOrder order, TopUpStatus final, CancellationToken cancellationToken = default)
    {
        var closed = await alipay.CloseAsync(order.OrderNo, cancellationToken);
        if (!closed.IsSuccess && closed.Error!.Code != TradeNotExist)
        {
            logger.LogWarning("Closing order {OrderNo} at Alipay failed: {Error}", order.OrderNo, closed.Error.Message);
            return await RefreshPaidOnlyAsync(order, cancellationToken);
        }

        return await FinishAsync(order.Id, final, cancellationToken);
    }

    private async Task<TopUpStatus?> RefreshPaidOnlyAsync(TopUpOrder order, CancellationToken cancellationToken)
    {
        var query = await alipay.QueryAsync(order.OrderNo, cancellationToken);
        if (query.IsSuccess && query.Value!.IsPaid)
            await CreditAsync(order.Id, query.Value.TradeNo, query.Value.TotalAmountMicroYuan, query.Value.PaidAt, cancellationToken);
        return await StatusAsync(order.Id, cancellationToken);
    }

    private async Task<TopUpStatus?> FinishAsync(Guid orderId, TopUpStatus final, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // NOTE: only a Pending order is finished; if a payment landed meanwhile the order stays Paid.
        await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == orderId && o.Status == TopUpStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, final).SetProperty(o => o.ClosedAt, clock.GetUtcNow()), cancellationToken);
        return await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == orderId).Select(o => (TopUpStatus?)o.Status).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task<TopUpStatus?> StatusAsync(Guid orderId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == orderId).Select(o => (TopUpStatus?)o.Status).FirstOrDefaultAsync(cancellationToken);
    }
}
