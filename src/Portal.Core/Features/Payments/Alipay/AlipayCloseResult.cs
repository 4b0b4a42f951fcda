namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Result of alipay.trade.close (only WAIT_BUYER_PAY trades can be closed).</summary>
/// <param name="OutTradeNo">Merchant order number.</param>
/// <param name="TradeNo">Alipay's trade number, when reported.</param>
public sealed record AlipayCloseResult(string OutTradeNo, string? TradeNo);
