namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Alipay trade states. Only <see cref="TradeSuccess"/> and <see cref="TradeFinished"/> mean paid.</summary>
public enum AlipayTradeStatus
{
    /// <summary>WAIT_BUYER_PAY: created, unpaid.</summary>
    WaitBuyerPay,

    /// <summary>TRADE_CLOSED: closed unpaid (timeout/close) or fully refunded.</summary>
    TradeClosed,

    /// <summary>TRADE_SUCCESS: paid and still refundable.</summary>
    TradeSuccess,

    /// <summary>TRADE_FINISHED: paid and no longer refundable.</summary>
    TradeFinished,
}

/// <summary>Conversions for <see cref="AlipayTradeStatus"/>.</summary>
public static class AlipayTradeStatuses
{
    /// <summary>Parses Alipay's wire name (e.g. TRADE_SUCCESS). Unknown names are refused, not mapped to a default.</summary>
    public static bool TryParse(string? text, out AlipayTradeStatus status)
    {
        (var known, status) = text switch
        {
            "WAIT_BUYER_PAY" => (true, AlipayTradeStatus.WaitBuyerPay),
            "TRADE_CLOSED" => (true, AlipayTradeStatus.TradeClosed),
            "TRADE_SUCCESS" => (true, AlipayTradeStatus.TradeSuccess),
            "TRADE_FINISHED" => (true, AlipayTradeStatus.TradeFinished),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>Alipay's wire name of a status.</summary>
    public static string ToWireName(this AlipayTradeStatus status) => status switch
    {
        AlipayTradeStatus.WaitBuyerPay => "WAIT_BUYER_PAY",
        AlipayTradeStatus.TradeClosed => "TRADE_CLOSED",
        AlipayTradeStatus.TradeSuccess => "TRADE_SUCCESS",
        AlipayTradeStatus.TradeFinished => "TRADE_FINISHED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>True for the two states in which the buyer's money has arrived.</summary>
    public static bool IsPaid(this AlipayTradeStatus status) =>
        status is AlipayTradeStatus.TradeSuccess or AlipayTradeStatus.TradeFinished;
}
