using Portal.Core.Common;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED notifications, already verified and decrypted, settle the WeChat part they name.</summary>
internal sealed class WechatRefundNotifications(RefundPayouts payouts) : IWechatPayRefundNotifications
{
    public async Task<Result<string>> HandleAsync(WechatPayNotification notification, CancellationToken cancellationToken)
    {
        var r = notification.Resource;
        // The notification's resource names the state refund_status (the query's answer calls it status).
        if (WechatPayClient.Text(r, "out_refund_no") is not { } outRefundNo || WechatPayClient.Text(r, "refund_status") is not { } status
            || WechatPayClient.Text(r, "out_trade_no") is not { } outTradeNo
            || !r.TryGetProperty("amount", out var amount) || !amount.TryGetProperty("refund", out var refundFen) || !refundFen.TryGetInt64(out var fen))
            return WechatPayErrors.InvalidResponse("The refund resource lacks out_refund_no, refund_status, out_trade_no or amount.refund.");
        var successTime = WechatPayClient.Text(r, "success_time") is { } s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at) ? at : (DateTimeOffset?)null;
        return await payouts.SettleWechatNotificationAsync(outRefundNo, outTradeNo, status, fen * Money.MicroPerFen, successTime, cancellationToken);
    }
}
