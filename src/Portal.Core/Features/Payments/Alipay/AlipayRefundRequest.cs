namespace Portal.Core.Features.Payments.Alipay;

/// <summary>A (partial) refund (alipay.trade.refund).</summary>
/// <param name="OutTradeNo">The paid order.</param>
/// <param name="OutRequestNo">Idempotency key, unique per trade: a retry with the same value refunds at most once.</param>
/// <param name="RefundAmountMicroYuan">Amount of this refund in micro-yuan; whole fen.</param>
/// <param name="Reason">Optional reason shown to the buyer.</param>
public sealed record AlipayRefundRequest(
    string OutTradeNo,
    string OutRequestNo,
    long RefundAmountMicroYuan,
    string? Reason = null);
