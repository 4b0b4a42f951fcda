using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// <c>POST /payments/alipay/notify</c>: verifies a trade_status_sync notification (signature, app_id, seller_id when
/// configured), matches it to an order (out_trade_no exists, total_amount equals the order amount) and credits paid
/// trades through <see cref="TopUpSettlement"/>. Every delivery is logged raw with its outcome. The reply is exactly
/// <c>success</c> for processed and duplicate deliveries, anything else otherwise (Alipay then retries).
/// </summary>
public static class HandleAlipayNotify
{
    public sealed record Reply(PaymentNotifyOutcome Outcome, string Detail)
    {
        public bool Acknowledged => Outcome is PaymentNotifyOutcome.Credited or PaymentNotifyOutcome.Duplicate or PaymentNotifyOutcome.Acknowledged;

        /// <summary>The exact response body.</summary>
        public string Body => Acknowledged ? AlipayTradeNotification.SuccessReply : "fail";
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        IOptions<AlipayOptions> options,
        TopUpSettlement settlement,
        TimeProvider clock,
        ILogger<Handler> logger)
    {
        public async Task<Reply> HandleAsync(string rawBody, IReadOnlyList<KeyValuePair<string, string?>> fields, string? remoteIp, CancellationToken cancellationToken = default)
        {
            string? Field(string key) => fields.FirstOrDefault(f => f.Key == key).Value is { Length: > 0 } v ? Clip(v, 128) : null;
            var log = new AlipayNotifyLog
            {
                Id = Ids.New(),
                ReceivedAt = clock.GetUtcNow(),
                NotifyId = Field("notify_id"),
                OutTradeNo = Field("out_trade_no"),
                TradeNo = Field("trade_no"),
                TradeStatus = Field("trade_status") is { } status ? Clip(status, 64) : null,
                TotalAmount = Field("total_amount") is { } total ? Clip(total, 32) : null,
                RawBody = Clip(rawBody, 16000),
                RemoteIp = remoteIp,
            };

            Reply reply;
            try
            {
                reply = await ProcessAsync(fields, log, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Alipay notification for {OutTradeNo} failed", log.OutTradeNo);
                reply = new Reply(PaymentNotifyOutcome.Failed, "processing failed: " + ex.GetType().Name);
            }

            log.Outcome = reply.Outcome;
            log.Detail = Clip(reply.Detail, 1000);
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.AlipayNotifyLogs.Add(log);
            await db.SaveChangesAsync(CancellationToken.None);
            if (!reply.Acknowledged && reply.Outcome != PaymentNotifyOutcome.Ignored)
                logger.LogWarning("Alipay notification for {OutTradeNo} not accepted: {Outcome} {Detail}", log.OutTradeNo, reply.Outcome, reply.Detail);
            return reply;
        }

        private async Task<Reply> ProcessAsync(IReadOnlyList<KeyValuePair<string, string?>> fields, AlipayNotifyLog log, CancellationToken cancellationToken)
        {
            var verified = AlipayTradeNotification.Verify(fields, options.Value);
            if (!verified.IsSuccess) return new Reply(PaymentNotifyOutcome.Rejected, verified.Error!.Message);
            var notification = verified.Value!;

            TopUpOrder? order;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                order = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.OrderNo == notification.OutTradeNo, cancellationToken);
            }

            if (order is null) return new Reply(PaymentNotifyOutcome.Rejected, $"unknown out_trade_no {notification.OutTradeNo}");
            log.TenantId = order.TenantId;
            if (notification.TotalAmountMicroYuan != order.AmountMicroYuan)
                return new Reply(PaymentNotifyOutcome.Rejected, $"total_amount {AlipayAmount.Format(notification.TotalAmountMicroYuan)} ≠ order amount {order.Amount.ToDisplay()}");

            if (!notification.IsPaid)
            {
                return notification.Status == AlipayTradeStatus.TradeClosed
                    ? new Reply(PaymentNotifyOutcome.Acknowledged, "TRADE_CLOSED: nothing to credit; the pending-orders job closes the order")
                    : new Reply(PaymentNotifyOutcome.Ignored, $"{notification.Status.ToWireName()}: not paid yet");
            }

            var credit = await settlement.CreditAsync(order, notification.TradeNo, notification.TotalAmountMicroYuan, notification.PaidAt, cancellationToken);
            if (!credit.IsSuccess) return new Reply(PaymentNotifyOutcome.Rejected, credit.Error!.Message);
            return credit.Value!.Credited
                ? new Reply(PaymentNotifyOutcome.Credited, $"credited {order.Amount.ToDisplay()}")
                : new Reply(PaymentNotifyOutcome.Duplicate, "already credited");
        }

        private static string Clip(string value, int max) => value.Length > max ? value[..max] : value;
    }
}
