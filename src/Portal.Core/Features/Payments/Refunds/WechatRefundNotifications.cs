using Portal.Core.Common;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED notifications, already verified and decrypted, settle the WeChat part they name.</summary>
internal sealed class WechatRefundNotifications(RefundPayouts payouts) : IWechatPayRefundNotifications
{
    public async Task<Result<string>> HandleAsync(WechatPayNotification notification, CancellationToken cancellationToken)
    {
        var r = notification.Resource;
        var refund = WechatPayClient.ParseRefund(r);
        if (!refund.IsSuccess || WechatPayClient.Text(r, "refund_status") is not { } status)
            return WechatPayErrors.InvalidResponse("The refund resource has no out_refund_no or refund_status.");
        if (WechatPayClient.Text(r, "out_trade_no") is not { } outTradeNo) return WechatPayErrors.InvalidResponse("The refund resource has no out_trade_no.");
        var successTime = WechatPayClient.Text(r, "success_time") is { } s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at) ? at : (DateTimeOffset?)null;
        return await payouts.SettleWechatNotificationAsync(refund.Value!.OutRefundNo, outTradeNo, status, refund.Value.RefundMicroYuan, successTime, cancellationToken);
    }
}
