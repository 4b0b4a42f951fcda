namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Result of alipay.trade.query. Amounts are micro-yuan.</summary>
/// <param name="TradeNo">Alipay's trade number.</param>
/// <param name="OutTradeNo">Merchant order number.</param>
/// <param name="Status">Trade state; only TRADE_SUCCESS/TRADE_FINISHED mean paid.</param>
/// <param name="TotalAmountMicroYuan">Order amount.</param>
/// <param name="BuyerPayAmountMicroYuan">What the buyer paid, when reported.</param>
/// <param name="ReceiptAmountMicroYuan">What the merchant received, when reported.</param>
/// <param name="BuyerLogonId">Masked buyer account.</param>
/// <param name="BuyerUserId">Buyer id (2088...), when reported.</param>
/// <param name="PaidAt">send_pay_date, when paid.</param>
public sealed record AlipayTradeQueryResult(
    string TradeNo,
    string OutTradeNo,
    AlipayTradeStatus Status,
    long TotalAmountMicroYuan,
    long? BuyerPayAmountMicroYuan,
    long? ReceiptAmountMicroYuan,
    string? BuyerLogonId,
    string? BuyerUserId,
    DateTimeOffset? PaidAt)
{
    /// <summary>True when the buyer's money has arrived.</summary>
    public bool IsPaid => Status.IsPaid();
}
