namespace Portal.Core.Features.Payments.Alipay;

/// <summary>A QR-code payment (alipay.trade.precreate); the trade is created when the buyer scans.</summary>
/// <param name="OutTradeNo">Merchant order number, unique per merchant.</param>
/// <param name="TotalAmountMicroYuan">Amount in micro-yuan; must be a whole number of fen.</param>
/// <param name="Subject">Order title (≤256).</param>
/// <param name="NotifyUrl">Public URL receiving the asynchronous notification.</param>
/// <param name="ExpiresAt">Optional absolute expiry (time_expire).</param>
public sealed record AlipayPrecreateRequest(
    string OutTradeNo,
    long TotalAmountMicroYuan,
    string Subject,
    string? NotifyUrl,
    DateTimeOffset? ExpiresAt = null);
