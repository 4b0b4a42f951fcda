using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
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
public sealed class TopUpSettlement(IDbContextFactory<PortalDbContext> dbFactory, Ledger ledger, IEnumerable<ITopUpRail> rails, TimeProvider clock, ILogger<TopUpSettlement> logger)
{

    public static readonly Error AmountMismatch = new("Payments.AmountMismatch", "The paid amount differs from the order amount.");

    /// <summary>
    /// Marks the order Paid and credits its amount under the key <c>alipay:{trade_no}</c> or <c>wechat:{transaction_id}</c>, in one transaction.
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
        if (order.Status == TopUpStatus.Paid && order.TradeNo == tradeNo) return new TopUpCredit(order.Id, order.OrderNo, Credited: false);
        var orderId = order.Id;

        // The rails' times are Beijing wall-clock; stored instants are UTC.
        var paidAtValue = (paidAt ?? clock.GetUtcNow()).ToUniversalTime();
        var wechat = order.Channel.IsWechat();
        var posting = new LedgerPosting(order.TenantId, order.Amount, LedgerEntryKind.TopUp, order.Channel.LedgerKey(tradeNo),
            wechat ? LocalizedText.Encode("WeChat Pay top-up {0}", order.OrderNo) : LocalizedText.Encode("Alipay top-up {0}", order.OrderNo), "wallet.topped_up", order.OrderNo);
        // NOTE: the claim is a conditional UPDATE (status <> Paid) in the ledger's transaction: of N concurrent
        // deliveries one flips the order and credits, the others find 0 rows (after waiting for the winner's row
        // lock) and roll back; the unique ledger key is the second line of defence. Expired or Cancelled orders
        // still become Paid, because money that arrived must be credited.
        var result = await ledger.PostAsync(posting, async (db, ct) =>
            await db.TopUpOrders.IgnoreTenantFilter()
                .Where(o => o.Id == orderId && o.Status != TopUpStatus.Paid)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, TopUpStatus.Paid)
                    .SetProperty(o => o.PaidAt, paidAtValue)
                    .SetProperty(o => o.AlipayTradeNo, o => wechat ? o.AlipayTradeNo : tradeNo)
                    .SetProperty(o => o.WechatTransactionId, o => wechat ? tradeNo : o.WechatTransactionId), ct) == 1,
            cancellationToken);
        if (!result.IsSuccess)
        {
            // The order is already Paid under another trade number: nothing to credit again.
            if (result.Error == Ledger.ClaimRejected) return new TopUpCredit(order.Id, order.OrderNo, Credited: false);
            return result.Error!;
        }

        if (order.Status is TopUpStatus.Expired or TopUpStatus.Cancelled && !result.Value!.AlreadyApplied)
            logger.LogWarning("Order {OrderNo} was {Status} locally but {Channel} reports it paid; credited anyway", order.OrderNo, order.Status, order.Channel);
        return new TopUpCredit(order.Id, order.OrderNo, Credited: !result.Value!.AlreadyApplied);
    }

    /// <summary>
    /// Asks the order's rail about a Pending order: paid → credited; closed there → Cancelled (Expired when past
    /// expiry); unpaid past expiry → closed at the rail, then Expired. Returns the order's status afterwards.
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

        var expired = clock.GetUtcNow() >= order.ExpiresAt;
        var query = await Rail(order).QueryAsync(order, cancellationToken);
        if (!query.IsSuccess)
        {
            logger.LogWarning("Querying order {OrderNo} failed: {Error}", order.OrderNo, query.Error!.Message);
            return TopUpStatus.Pending;
        }

        var trade = query.Value!;
        switch (trade.State)
        {
            case RailTradeState.Paid:
                var credit = await CreditAsync(order.Id, trade.TradeNo!, trade.AmountMicroYuan, trade.PaidAt, cancellationToken);
                if (!credit.IsSuccess) logger.LogError("Paid order {OrderNo} could not be credited: {Error}", order.OrderNo, credit.Error!.Message);
                return await StatusAsync(orderId, cancellationToken);
            case RailTradeState.Closed:
                return await FinishAsync(orderId, expired ? TopUpStatus.Expired : TopUpStatus.Cancelled, cancellationToken);
            default:
                return expired ? await CloseAsync(order, TopUpStatus.Expired, cancellationToken) : TopUpStatus.Pending;
        }
    }

    /// <summary>
    /// Closes an unpaid order at its rail, then locally. If the rail refuses because it was paid meanwhile, the next
    /// query credits it; the order stays Pending until then.
    /// </summary>
    public async Task<TopUpStatus?> CloseAsync(TopUpOrder order, TopUpStatus final, CancellationToken cancellationToken = default)
    {
        var closed = await Rail(order).CloseAsync(order, cancellationToken);
        if (!closed.IsSuccess)
        {
            logger.LogWarning("Closing order {OrderNo} at {Channel} failed: {Error}", order.OrderNo, order.Channel, closed.Error!.Message);
            return await RefreshPaidOnlyAsync(order, cancellationToken);
        }

        return await FinishAsync(order.Id, final, cancellationToken);
    }

    private async Task<TopUpStatus?> RefreshPaidOnlyAsync(TopUpOrder order, CancellationToken cancellationToken)
    {
        var query = await Rail(order).QueryAsync(order, cancellationToken);
        if (query.IsSuccess && query.Value!.State == RailTradeState.Paid)
            await CreditAsync(order.Id, query.Value.TradeNo!, query.Value.AmountMicroYuan, query.Value.PaidAt, cancellationToken);
        return await StatusAsync(order.Id, cancellationToken);
    }

    private ITopUpRail Rail(TopUpOrder order) =>
        rails.FirstOrDefault(r => r.Serves(order.Channel)) ?? throw new InvalidOperationException($"No payment rail serves {order.Channel}.");

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
