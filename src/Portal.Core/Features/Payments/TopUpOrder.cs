using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments;

public enum TopUpStatus
{
    Pending,
    Paid,
    Expired,
    Cancelled,
}

public enum PaymentChannel
{
    /// <summary>Alipay PC cashier (alipay.trade.page.pay): the browser is sent to the gateway.</summary>
    [EnumText("Alipay (web cashier)")]
    AlipayPage,

    /// <summary>Alipay QR code (alipay.trade.precreate): the buyer scans with the Alipay app.</summary>
    [EnumText("Alipay (QR code)")]
    AlipayQr,

    /// <summary>WeChat Pay Native (/v3/pay/transactions/native): the buyer scans code_url with WeChat.</summary>
    [EnumText("WeChat Pay (QR code)")]
    WechatNative,

    /// <summary>WeChat Pay H5 (/v3/pay/transactions/h5): a mobile browser opens h5_url, which hands over to WeChat.</summary>
    [EnumText("WeChat Pay (mobile)")]
    WechatH5,
}

public static class PaymentChannels
{
    public static bool IsWechat(this PaymentChannel channel) => channel is PaymentChannel.WechatNative or PaymentChannel.WechatH5;

    public static bool IsAlipay(this PaymentChannel channel) => channel is PaymentChannel.AlipayPage or PaymentChannel.AlipayQr;

    /// <summary>The ledger idempotency key of a paid trade: <c>alipay:{trade_no}</c> or <c>wechat:{transaction_id}</c>.</summary>
    public static string LedgerKey(this PaymentChannel channel, string tradeNo) => (channel.IsWechat() ? "wechat:" : "alipay:") + tradeNo;
}

/// <summary>
/// A tenant's request to add money to its wallet: Pending → Paid | Expired | Cancelled. Only a verified payment
/// (notify or query) makes it Paid, and only <see cref="TopUpSettlement"/> does, together with the ledger credit.
/// </summary>
public sealed class TopUpOrder : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>out_trade_no: unique, ≤ 64 chars of [A-Za-z0-9_]; see <see cref="OrderNumbers"/>.</summary>
    public string OrderNo { get; set; } = "";

    public long AmountMicroYuan { get; set; }

    public PaymentChannel Channel { get; set; }

    public TopUpStatus Status { get; set; }

    public string Subject { get; set; } = "";

    public Guid? CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>After this the order cannot be paid: sent to Alipay as time_expire, then closed by the query job.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When Alipay says the buyer paid (gmt_payment / send_pay_date), else when the portal learnt it.</summary>
    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? AlipayTradeNo { get; set; }

    /// <summary>What the buyer opens: the Alipay precreate QR content, WeChat Pay's code_url (Native) or h5_url (H5).</summary>
    public string? QrCode { get; set; }

    /// <summary>WeChat Pay's transaction_id once paid (WeChat orders only).</summary>
    public string? WechatTransactionId { get; set; }

    public DateTimeOffset? LastQueriedAt { get; set; }

    /// <summary>What has been refunded to the buyer through the rail it came from (Alipay or WeChat Pay) so far (never more than the amount).</summary>
    public long RefundedMicroYuan { get; set; }

    /// <summary>The rail's trade number of the payment: Alipay trade_no or WeChat Pay transaction_id.</summary>
    public string? TradeNo => Channel.IsWechat() ? WechatTransactionId : AlipayTradeNo;

    public Money Amount => new(AmountMicroYuan);

    public Money Refunded => new(RefundedMicroYuan);
}
