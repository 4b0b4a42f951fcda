using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// A verified <c>trade_status_sync</c> notification. Verification proves Alipay sent it and that it is for this
/// app (and seller, when configured); the caller must still compare <see cref="TotalAmountMicroYuan"/> with its
/// own order and apply the state change idempotently, because the same event arrives many times and out of order.
/// </summary>
/// <param name="NotifyId">Alipay's id of this notification (repeated on retries).</param>
/// <param name="AppId">app_id; equals the configured one.</param>
/// <param name="OutTradeNo">Merchant order number.</param>
/// <param name="TradeNo">Alipay trade number.</param>
/// <param name="Status">Trade state.</param>
/// <param name="TotalAmountMicroYuan">Order amount.</param>
/// <param name="SellerId">Seller PID.</param>
/// <param name="RefundFeeMicroYuan">Cumulative refunded amount on refund notifications.</param>
/// <param name="OutBizNo">The refund's out_request_no on refund notifications.</param>
/// <param name="PaidAt">gmt_payment, when present.</param>
public sealed record AlipayTradeNotification(
    string NotifyId,
    string AppId,
    string OutTradeNo,
    string TradeNo,
    AlipayTradeStatus Status,
    long TotalAmountMicroYuan,
    string? SellerId,
    long? RefundFeeMicroYuan,
    string? OutBizNo,
    DateTimeOffset? PaidAt)
{
    /// <summary>The exact body to answer with once processed; anything else makes Alipay retry for ~25 hours.</summary>
    public const string SuccessReply = "success";

    /// <summary>The notification's signature or content does not check out. Answer anything but "success".</summary>
    public const string InvalidCode = "Alipay.InvalidNotify";

    /// <summary>True when the buyer's money has arrived.</summary>
    public bool IsPaid => Status.IsPaid();

    /// <summary>
    /// Verifies the posted form (V1 rule, Alipay public key from <paramref name="options"/>) and reads it.
    /// Fields must be the form-decoded values as received, never decoded again.
    /// </summary>
    public static Result<AlipayTradeNotification> Verify(IEnumerable<KeyValuePair<string, string?>> fields, AlipayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = fields.ToList();
        using (var alipayPublicKey = RsaKeys.LoadPublicKey(options.AlipayPublicKey))
        {
            if (!AlipaySignature.VerifyNotifyV1(list, alipayPublicKey))
            {
                return Invalid("signature does not verify with the Alipay public key");
            }
        }

        var values = list.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        string? Get(string key) => values.GetValueOrDefault(key) is { Length: > 0 } value ? value : null;

        if (Get("app_id") != options.AppId)
        {
            return Invalid("app_id is not this app's");
        }

        if (!string.IsNullOrEmpty(options.SellerId) && Get("seller_id") != options.SellerId)
        {
            return Invalid("seller_id is not this merchant's");
        }

        if (Get("notify_id") is not { } notifyId || Get("out_trade_no") is not { } outTradeNo || Get("trade_no") is not { } tradeNo)
        {
            return Invalid("notify_id, out_trade_no or trade_no is missing");
        }

        if (!AlipayTradeStatuses.TryParse(Get("trade_status"), out var status))
        {
            return Invalid($"unknown trade_status '{Get("trade_status")}'");
        }

        if (!AlipayAmount.TryParse(Get("total_amount"), out var total))
        {
            return Invalid("total_amount is not an amount");
        }

        long? refundFee = null;
        if (Get("refund_fee") is { } refundText)
        {
            if (!AlipayAmount.TryParse(refundText, out var refund))
            {
                return Invalid("refund_fee is not an amount");
            }

            refundFee = refund;
        }

        DateTimeOffset? paidAt = AlipayTime.TryParse(Get("gmt_payment"), out var paid) ? paid : null;
        return new AlipayTradeNotification(
            notifyId, options.AppId, outTradeNo, tradeNo, status, total, Get("seller_id"), refundFee, Get("out_biz_no"), paidAt);
    }

    private static Error Invalid(string reason) => new(InvalidCode, $"Alipay notification rejected: {reason}.");
}
