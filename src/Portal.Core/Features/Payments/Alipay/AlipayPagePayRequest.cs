namespace Portal.Core.Features.Payments.Alipay;

/// <summary>A PC web payment (alipay.trade.page.pay).</summary>
/// <param name="OutTradeNo">Merchant order number: ≤64 letters/digits/underscores, unique, reused only when retrying the same order.</param>
/// <param name="TotalAmountMicroYuan">Amount in micro-yuan; must be a whole number of fen.</param>
/// <param name="Subject">Order title (≤256); avoid '/', '=' and '&amp;'.</param>
/// <param name="NotifyUrl">Public URL receiving the asynchronous notification.</param>
/// <param name="ReturnUrl">Browser return URL; for UX only, never proof of payment.</param>
/// <param name="ExpiresAt">Optional absolute expiry (time_expire).</param>
public sealed record AlipayPagePayRequest(
    string OutTradeNo,
    long TotalAmountMicroYuan,
    string Subject,
    string? NotifyUrl,
    string? ReturnUrl,
    DateTimeOffset? ExpiresAt = null);
