namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Result of alipay.trade.refund.</summary>
/// <param name="TradeNo">Alipay's trade number.</param>
/// <param name="OutTradeNo">Merchant order number.</param>
/// <param name="FundChange">fund_change=Y: this call moved money; N: a repeat of an already-processed out_request_no.</param>
/// <param name="RefundFeeMicroYuan">Cumulative amount refunded on the trade so far, not this refund alone.</param>
/// <param name="RefundedAt">gmt_refund_pay, when reported.</param>
public sealed record AlipayRefundResult(
    string TradeNo,
    string OutTradeNo,
    bool FundChange,
    long RefundFeeMicroYuan,
    DateTimeOffset? RefundedAt);
