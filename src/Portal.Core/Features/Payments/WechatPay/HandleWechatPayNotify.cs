using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>
/// <c>POST /payments/wechatpay/notify</c>: the signature (headers and raw body) is verified before anything else, the
/// resource decrypted with the APIv3 key, then mchid, appid, order and amount are checked and TRANSACTION.SUCCESS is
/// credited through <see cref="TopUpSettlement"/> (once, under <c>wechat:{transaction_id}</c>); REFUND.* events settle
/// the WeChat refund part they name. Every delivery is logged raw with its outcome. The answer is what APIv3
/// expects: 204 without a body when handled, 4xx/5xx with <c>{"code":"FAIL","message":…}</c> to be sent again.
/// </summary>
public static class HandleWechatPayNotify
{
    public sealed record Reply(PaymentNotifyOutcome Outcome, string Detail)
    {
        public bool Acknowledged => Outcome is PaymentNotifyOutcome.Credited or PaymentNotifyOutcome.Duplicate or PaymentNotifyOutcome.Acknowledged;

        /// <summary>204 when handled; 401 for a bad signature, 400 for content that does not match, 500 when processing failed.</summary>
        public int StatusCode => Outcome switch
        {
            _ when Acknowledged => 204,
            PaymentNotifyOutcome.Failed => 500,
            _ when Detail.StartsWith("signature", StringComparison.Ordinal) => 401,
            _ => 400,
        };
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        IOptions<WechatPayOptions> options,
        WechatPayVerifier verifier,
        TopUpSettlement settlement,
        IWechatPayRefundNotifications refunds,
        TimeProvider clock,
        ILogger<Handler> logger)
    {
        public async Task<Reply> HandleAsync(WechatPaySignedMessage message, string? remoteIp, CancellationToken cancellationToken = default)
        {
            var log = new WechatPayNotifyLog
            {
                Id = Ids.New(),
                ReceivedAt = clock.GetUtcNow(),
                Headers = Clip($"timestamp={message.Timestamp} nonce={message.Nonce} serial={message.Serial} signature={message.Signature}", 1000),
                RawBody = Clip(message.Body, 16000),
                RemoteIp = remoteIp,
            };
            try
            {
                using var envelope = JsonDocument.Parse(message.Body);
                log.NotificationId = WechatPayClient.Text(envelope.RootElement, "id") is { } id ? Clip(id, 128) : null;
                log.EventType = WechatPayClient.Text(envelope.RootElement, "event_type") is { } type ? Clip(type, 64) : null;
            }
            catch (JsonException)
            {
                // Logged raw; verification below refuses it anyway.
            }

            Reply reply;
            try
            {
                reply = await ProcessAsync(message, log, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "WeChat Pay notification {Id} failed", log.NotificationId);
                reply = new Reply(PaymentNotifyOutcome.Failed, "processing failed: " + ex.GetType().Name);
            }

            log.Outcome = reply.Outcome;
            log.Detail = Clip(reply.Detail, 1000);
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.WechatPayNotifyLogs.Add(log);
            await db.SaveChangesAsync(CancellationToken.None);
            if (!reply.Acknowledged)
                logger.LogWarning("WeChat Pay notification {Id} for {OutTradeNo} not accepted: {Outcome} {Detail}", log.NotificationId, log.OutTradeNo, reply.Outcome, reply.Detail);
            return reply;
        }

        private async Task<Reply> ProcessAsync(WechatPaySignedMessage message, WechatPayNotifyLog log, CancellationToken cancellationToken)
        {
            var verified = await verifier.VerifyAsync(message, cancellationToken);
            if (!verified.IsSuccess) return new Reply(PaymentNotifyOutcome.Rejected, "signature: " + verified.Error!.Message);
            var opened = WechatPayNotification.Open(message.Body, options.Value.ApiV3Key);
            if (!opened.IsSuccess) return new Reply(PaymentNotifyOutcome.Rejected, "resource: " + opened.Error!.Message);
            var notification = opened.Value!;
            var r = notification.Resource;
            log.OutTradeNo = WechatPayClient.Text(r, "out_trade_no") is { } no ? Clip(no, 128) : null;
            log.TransactionId = WechatPayClient.Text(r, "transaction_id") is { } tid ? Clip(tid, 128) : null;
            log.State = (WechatPayClient.Text(r, "trade_state") ?? WechatPayClient.Text(r, "refund_status")) is { } state ? Clip(state, 64) : null;
            log.AmountFen = r.TryGetProperty("amount", out var amount) && (amount.TryGetProperty("total", out var t) || amount.TryGetProperty("refund", out t)) && t.TryGetInt64(out var fen) ? fen : null;

            if (WechatPayClient.Text(r, "mchid") != options.Value.MchId) return new Reply(PaymentNotifyOutcome.Rejected, $"mchid {WechatPayClient.Text(r, "mchid")} is not this merchant");
            if (notification.EventType.StartsWith("REFUND.", StringComparison.Ordinal))
            {
                var refund = await refunds.HandleAsync(notification, cancellationToken);
                return refund.IsSuccess ? new Reply(PaymentNotifyOutcome.Acknowledged, refund.Value!) : new Reply(PaymentNotifyOutcome.Rejected, refund.Error!.Message);
            }

            if (notification.EventType != WechatPayNotification.TransactionSuccess)
                return new Reply(PaymentNotifyOutcome.Acknowledged, $"{notification.EventType}: nothing to do");
            if (WechatPayClient.Text(r, "appid") != options.Value.AppId) return new Reply(PaymentNotifyOutcome.Rejected, $"appid {WechatPayClient.Text(r, "appid")} is not this merchant's");
            var transaction = WechatPayClient.ParseTransaction(r);
            if (!transaction.IsSuccess) return new Reply(PaymentNotifyOutcome.Rejected, transaction.Error!.Message);
            var paid = transaction.Value!;
            if (!paid.IsPaid || paid.TransactionId is not { Length: > 0 } transactionId)
                return new Reply(PaymentNotifyOutcome.Ignored, $"{paid.TradeState}: not paid");

            TopUpOrder? order;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                order = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.OrderNo == paid.OutTradeNo, cancellationToken);
            }

            if (order is null || !order.Channel.IsWechat()) return new Reply(PaymentNotifyOutcome.Rejected, $"unknown out_trade_no {paid.OutTradeNo}");
            log.TenantId = order.TenantId;
            if (paid.TotalMicroYuan != order.AmountMicroYuan || (amount.TryGetProperty("currency", out var c) && c.GetString() != "CNY"))
                return new Reply(PaymentNotifyOutcome.Rejected, $"amount.total {paid.TotalFen} fen ≠ order amount {order.Amount.ToDisplay()}");

            var credit = await settlement.CreditAsync(order, transactionId, paid.TotalMicroYuan, paid.SuccessTime, cancellationToken);
            if (!credit.IsSuccess) return new Reply(PaymentNotifyOutcome.Rejected, credit.Error!.Message);
            return credit.Value!.Credited
                ? new Reply(PaymentNotifyOutcome.Credited, $"credited {order.Amount.ToDisplay()}")
                : new Reply(PaymentNotifyOutcome.Duplicate, "already credited");
        }

        private static string Clip(string value, int max) => value.Length > max ? value[..max] : value;
    }
}

/// <summary>Settles a WeChat refund part from a verified REFUND.* notification; returns what was done.</summary>
public interface IWechatPayRefundNotifications
{
    Task<Result<string>> HandleAsync(WechatPayNotification notification, CancellationToken cancellationToken);
}
