using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.Core.Features.Payments;

public enum RailTradeState
{
    /// <summary>The rail does not know the order (QR not scanned yet, or never created there).</summary>
    NotFound,
    Unpaid,
    Paid,
    Closed,
}

/// <summary>What a payment rail says about an order when asked.</summary>
public sealed record RailTrade(RailTradeState State, string? TradeNo = null, long AmountMicroYuan = 0, DateTimeOffset? PaidAt = null);

/// <summary>
/// A payment rail as the order lifecycle sees it (<see cref="TopUpSettlement"/>): ask about an order, close an unpaid one.
/// Alipay and WeChat Pay each implement it; the settlement, the pending-orders job and cancellation are shared.
/// </summary>
public interface ITopUpRail
{
    bool Serves(PaymentChannel channel);

    Task<Result<RailTrade>> QueryAsync(TopUpOrder order, CancellationToken cancellationToken);

    /// <summary>Closes the order at the rail so it can no longer be paid; an order the rail never knew counts as closed.</summary>
    Task<Result<Unit>> CloseAsync(TopUpOrder order, CancellationToken cancellationToken);
}

internal sealed class AlipayTopUpRail(AlipayClient alipay) : ITopUpRail
{
    private const string TradeNotExist = "Alipay.ACQ.TRADE_NOT_EXIST";

    public bool Serves(PaymentChannel channel) => channel.IsAlipay();

    public async Task<Result<RailTrade>> QueryAsync(TopUpOrder order, CancellationToken cancellationToken)
    {
        var query = await alipay.QueryAsync(order.OrderNo, cancellationToken);
        if (!query.IsSuccess) return query.Error!.Code == TradeNotExist ? new RailTrade(RailTradeState.NotFound) : query.Error;
        var trade = query.Value!;
        if (trade.IsPaid) return new RailTrade(RailTradeState.Paid, trade.TradeNo, trade.TotalAmountMicroYuan, trade.PaidAt);
        return new RailTrade(trade.Status == AlipayTradeStatus.TradeClosed ? RailTradeState.Closed : RailTradeState.Unpaid, trade.TradeNo);
    }

    public async Task<Result<Unit>> CloseAsync(TopUpOrder order, CancellationToken cancellationToken)
    {
        var closed = await alipay.CloseAsync(order.OrderNo, cancellationToken);
        return closed.IsSuccess || closed.Error!.Code == TradeNotExist ? Unit.Value : closed.Error;
    }
}

internal sealed class WechatPayTopUpRail(WechatPayClient wechat) : ITopUpRail
{
    public bool Serves(PaymentChannel channel) => channel.IsWechat();

    public async Task<Result<RailTrade>> QueryAsync(TopUpOrder order, CancellationToken cancellationToken)
    {
        var query = await wechat.QueryAsync(order.OrderNo, cancellationToken);
        if (!query.IsSuccess) return query.Error!.Code == WechatPayErrors.OrderNotExist ? new RailTrade(RailTradeState.NotFound) : query.Error;
        var trade = query.Value!;
        if (trade.IsPaid)
        {
            return trade.TransactionId is { Length: > 0 } id
                ? new RailTrade(RailTradeState.Paid, id, trade.TotalMicroYuan, trade.SuccessTime)
                : WechatPayErrors.InvalidResponse("A paid transaction without transaction_id.");
        }

        return new RailTrade(trade.TradeState is "CLOSED" or "REVOKED" or "PAYERROR" ? RailTradeState.Closed : RailTradeState.Unpaid, trade.TransactionId);
    }

    public async Task<Result<Unit>> CloseAsync(TopUpOrder order, CancellationToken cancellationToken)
    {
        var closed = await wechat.CloseAsync(order.OrderNo, cancellationToken);
        return closed.IsSuccess || closed.Error!.Code == WechatPayErrors.OrderNotExist ? Unit.Value : closed.Error;
    }
}
