namespace Portal.Core.Features.Payments.Alipay;

/// <summary>One row of the trade detail bill (业务明细). Amounts are micro-yuan; refund rows are negative.</summary>
/// <param name="TradeNo">支付宝交易号.</param>
/// <param name="OutTradeNo">商户订单号.</param>
/// <param name="BusinessType">业务类型: 交易 (payment) or 退款 (refund).</param>
/// <param name="Subject">商品名称.</param>
/// <param name="CreatedAt">创建时间 (GMT+8).</param>
/// <param name="CompletedAt">完成时间 (GMT+8), when present.</param>
/// <param name="CounterpartyAccount">对方账户 (masked buyer account).</param>
/// <param name="OrderAmountMicroYuan">订单金额(元).</param>
/// <param name="MerchantReceivedMicroYuan">商家实收(元).</param>
/// <param name="RefundRequestNo">退款批次号/请求号: the refund's out_request_no on refund rows.</param>
/// <param name="ServiceFeeMicroYuan">服务费(元).</param>
/// <param name="Remark">备注.</param>
public sealed record AlipayBillRow(
    string TradeNo,
    string OutTradeNo,
    string BusinessType,
    string Subject,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? CompletedAt,
    string? CounterpartyAccount,
    long OrderAmountMicroYuan,
    long MerchantReceivedMicroYuan,
    string? RefundRequestNo,
    long ServiceFeeMicroYuan,
    string? Remark)
{
    /// <summary>业务类型 of a payment row.</summary>
    public const string PaymentType = "交易";

    /// <summary>业务类型 of a refund row.</summary>
    public const string RefundType = "退款";

    /// <summary>True for refund rows.</summary>
    public bool IsRefund => BusinessType == RefundType;
}
