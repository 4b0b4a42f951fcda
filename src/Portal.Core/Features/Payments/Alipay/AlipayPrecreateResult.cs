namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Result of alipay.trade.precreate.</summary>
/// <param name="OutTradeNo">The merchant order number echoed by Alipay.</param>
/// <param name="QrCode">URL to render as a QR code; valid for at most two hours.</param>
public sealed record AlipayPrecreateResult(string OutTradeNo, string QrCode);
