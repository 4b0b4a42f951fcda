using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Alipay.Simulator;

namespace Portal.Core.Features.Payments.WechatPay.Simulator;

/// <summary>An answer of the simulated API: status, body, and the Wechatpay-* headers that sign it (none for a file).</summary>
public sealed record WechatSimulatorResponse(int Status, string Body, IReadOnlyDictionary<string, string> Headers, byte[]? File = null);

/// <summary>A trade as the simulator's "scan and pay" page shows it.</summary>
public sealed record WechatSimulatorTradeView(Guid Id, string OutTradeNo, string? TransactionId, string Description, Money Amount, string TradeState, string TradeType, DateTimeOffset ExpiresAt);

/// <summary>
/// The built-in WeChat Pay stand-in (WechatPay:Mode = Simulator). It speaks APIv3 over HTTP: checks every request's
/// Authorization with the merchant's public key, serial, mchid and a 5-minute clock window (401 SIGN_ERROR otherwise),
/// signs every answer with its platform key, creates Native and H5 orders, closes them at time_expire, answers query,
/// close and refunds, serves platform certificates (encrypted with the APIv3 key) and gzip trade bills with their
/// SHA1, and queues encrypted, signed notifications for <see cref="WechatPaySimulatorNotifier"/>.
/// </summary>
public sealed partial class WechatPaySimulator(
    IDbContextFactory<PortalDbContext> dbFactory,
    WechatPaySimulatorKeyStore keyStore,
    WechatPaySimulatorNotifier notifier,
    IDataProtectionProvider protection,
    IOptions<PortalOptions> portal,
    TimeProvider clock)
{
    public const string BasePath = "/_simulator/wechatpay";

    private static readonly JsonSerializerOptions Json = WechatPayClient.Json;

    private IDataProtector BillProtector => protection.CreateProtector("Portal.WechatPaySimulator.Bill");

    /// <summary>Handles one API call; <paramref name="pathAndQuery"/> is relative to <see cref="BasePath"/> (<c>/v3/…</c>).</summary>
    public async Task<WechatSimulatorResponse> HandleAsync(string method, string pathAndQuery, string? authorization, string? wechatpaySerial, string body, CancellationToken cancellationToken = default)
    {
        var keys = keyStore.Get();
        var usePublicKey = wechatpaySerial == keys.PublicKeyId;
        WechatSimulatorResponse Answer(int status, object? payload) => Sign(status, payload is null ? "" : JsonSerializer.Serialize(payload, Json), usePublicKey);
        WechatSimulatorResponse Fail(int status, string code, string message) => Answer(status, new { code, message });

        var auth = WechatPaySignature.ParseAuthorization(authorization);
        if (auth is null) return Fail(401, "SIGN_ERROR", "Authorization 头缺失或格式错误");
        if (auth.MchId != keys.MchId) return Fail(401, "SIGN_ERROR", "商户号与签名不匹配");
        if (auth.SerialNo != keys.MerchantSerialNo) return Fail(401, "SIGN_ERROR", "商户证书序列号有误");
        if ((clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(auth.Timestamp)).Duration() > WechatPayOptions.MaxClockSkew)
            return Fail(401, "SIGN_ERROR", "请求时间戳过期");
        using (var merchantKey = RsaKeys.LoadPublicKey(keys.MerchantPublicKey))
        {
            if (!WechatPaySignature.Verify(WechatPaySignature.RequestMessage(method, pathAndQuery, auth.Timestamp, auth.NonceStr, body), auth.Signature, merchantKey))
                return Fail(401, "SIGN_ERROR", "签名错误");
        }

        var path = pathAndQuery.Split('?')[0];
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(pathAndQuery.Contains('?') ? pathAndQuery[pathAndQuery.IndexOf('?', StringComparison.Ordinal)..] : "");
        JsonElement request = default;
        if (method is "POST")
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                request = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return Fail(400, "PARAM_ERROR", "请求体不是合法的 JSON");
            }
        }

        if (method == "POST" && (path == WechatPayClient.NativePath || path == WechatPayClient.H5Path))
            return await CreateAsync(request, path == WechatPayClient.H5Path ? "MWEB" : "NATIVE", Answer, Fail, cancellationToken);
        if (TransactionPath().Match(path) is { Success: true } m)
        {
            var outTradeNo = Uri.UnescapeDataString(m.Groups[1].Value);
            if (m.Groups[2].Success)
                return method == "POST" ? await CloseAsync(outTradeNo, request, Answer, Fail, cancellationToken) : Fail(405, "PARAM_ERROR", "method");
            if (method != "GET") return Fail(405, "PARAM_ERROR", "method");
            if (query["mchid"] != keys.MchId) return Fail(400, "PARAM_ERROR", "mchid 与请求商户不一致");
            return await QueryAsync(outTradeNo, Answer, Fail, cancellationToken);
        }

        if (method == "POST" && path == WechatPayClient.RefundsPath) return await RefundAsync(request, Answer, Fail, cancellationToken);
        if (method == "GET" && path.StartsWith(WechatPayClient.RefundsPath + "/", StringComparison.Ordinal))
            return await QueryRefundAsync(Uri.UnescapeDataString(path[(WechatPayClient.RefundsPath.Length + 1)..]), Answer, Fail, cancellationToken);
        if (method == "GET" && path == WechatPayClient.CertificatesPath) return Certificates();
        if (method == "GET" && path == WechatPayClient.TradeBillPath) return await TradeBillAsync(query["bill_date"].ToString(), Answer, Fail, cancellationToken);
        if (method == "GET" && path == BillFilePath)
        {
            var file = await BillFileAsync(query["token"].ToString(), cancellationToken);
            return file is null ? Fail(404, "RESOURCE_NOT_EXISTS", "账单链接无效或已过期") : new WechatSimulatorResponse(200, "", new Dictionary<string, string>(), file);
        }

        return Fail(404, "RESOURCE_NOT_EXISTS", "接口不存在");
    }

    public const string BillFilePath = "/v3/billdownload/file";

    public async Task<WechatSimulatorTradeView?> GetByTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await db.WechatSimulatorTrades.FirstOrDefaultAsync(t => t.PayToken == token, cancellationToken);
        if (trade is null) return null;
        await CloseIfExpiredAsync(db, trade, cancellationToken);
        return View(trade);
    }

    /// <summary>The buyer confirms in WeChat: NOTPAY → SUCCESS, and TRANSACTION.SUCCESS is queued.</summary>
    public async Task<Result<WechatSimulatorTradeView>> PayAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await db.WechatSimulatorTrades.FirstOrDefaultAsync(t => t.PayToken == token, cancellationToken);
        if (trade is null) return new Error("ORDER_NOT_EXIST", "订单不存在");
        if (await CloseIfExpiredAsync(db, trade, cancellationToken)) return new Error("ORDER_CLOSED", "订单已关闭");
        var now = clock.GetUtcNow();
        var transactionId = "4200" + SimulatorKeyStore.Digits(6) + ChinaTime.ToChina(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + SimulatorKeyStore.Digits(10);
        // NOTE: conditional on NOTPAY, so a repeated tap pays (and notifies) once.
        var paid = await db.WechatSimulatorTrades.Where(t => t.Id == trade.Id && t.TradeState == "NOTPAY")
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.TradeState, "SUCCESS").SetProperty(t => t.PaidAt, now)
                .SetProperty(t => t.TransactionId, transactionId).SetProperty(t => t.PayerOpenId, "oSim" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)))
                .SetProperty(t => t.NotificationId, Guid.NewGuid().ToString()).SetProperty(t => t.NotifyAttempts, 0).SetProperty(t => t.NextNotifyAt, now), cancellationToken);
        await db.Entry(trade).ReloadAsync(cancellationToken);
        if (paid == 0 && trade.TradeState is not ("SUCCESS" or "REFUND")) return new Error("ORDER_CLOSED", "订单状态不允许支付");
        if (paid == 1) notifier.Signal();
        return View(trade);
    }

    /// <summary>The notification WeChat Pay would post for a paid trade: encrypted resource, signed with the platform key.</summary>
    public WechatSimulatorResponse BuildTransactionNotification(WechatSimulatorTrade trade, bool usePublicKey)
    {
        var resource = JsonSerializer.Serialize(TransactionJson(trade), Json);
        return Notification(trade.NotificationId ?? Guid.NewGuid().ToString(), WechatPayNotification.TransactionSuccess, "支付成功", "transaction", resource, usePublicKey);
    }

    public WechatSimulatorResponse BuildRefundNotification(WechatSimulatorRefund refund, WechatSimulatorTrade trade, bool usePublicKey)
    {
        var resource = JsonSerializer.Serialize(new
        {
            mchid = trade.MchId,
            out_trade_no = trade.OutTradeNo,
            transaction_id = trade.TransactionId,
            out_refund_no = refund.OutRefundNo,
            refund_id = refund.RefundId,
            refund_status = refund.Status,
            success_time = refund.SucceededAt is { } at ? WechatPayClient.Time(at) : null,
            user_received_account = "支付用户零钱",
            amount = new { total = trade.TotalFen, refund = refund.RefundFen, payer_total = trade.TotalFen, payer_refund = refund.RefundFen },
        }, Json);
        return Notification("refund-" + refund.Id, refund.Status == "SUCCESS" ? WechatPayNotification.RefundSuccess : WechatPayNotification.RefundAbnormal, "退款成功", "refund", resource, usePublicKey);
    }

    /// <summary>Signs a body as the platform: Wechatpay-Timestamp, -Nonce, -Serial (public key id or certificate serial) and -Signature.</summary>
    public WechatSimulatorResponse Sign(int status, string body, bool usePublicKey)
    {
        var keys = keyStore.Get();
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WechatPaySignature.NewNonce();
        using var platform = RsaKeys.LoadPrivateKey(keys.PlatformPrivateKey);
        return new WechatSimulatorResponse(status, body, new Dictionary<string, string>
        {
            [WechatPaySignedMessage.TimestampHeader] = timestamp,
            [WechatPaySignedMessage.NonceHeader] = nonce,
            [WechatPaySignedMessage.SerialHeader] = usePublicKey ? keys.PublicKeyId : keys.PlatformCertificateSerial,
            [WechatPaySignedMessage.SignatureHeader] = WechatPaySignature.Sign(WechatPaySignature.ResponseMessage(timestamp, nonce, body), platform),
        });
    }

    private WechatSimulatorResponse Notification(string id, string eventType, string summary, string originalType, string resource, bool usePublicKey)
    {
        var encrypted = WechatPayAead.Encrypt(keyStore.Get().ApiV3Key, resource, originalType, originalType);
        var body = JsonSerializer.Serialize(new
        {
            id,
            create_time = WechatPayClient.Time(clock.GetUtcNow()),
            resource_type = "encrypt-resource",
            event_type = eventType,
            summary,
            resource = new { original_type = originalType, algorithm = encrypted.Algorithm, ciphertext = encrypted.Ciphertext, associated_data = encrypted.AssociatedData, nonce = encrypted.Nonce },
        }, Json);
        return Sign(200, body, usePublicKey);
    }

    private async Task<WechatSimulatorResponse> CreateAsync(JsonElement r, string tradeType, Func<int, object?, WechatSimulatorResponse> answer, Func<int, string, string, WechatSimulatorResponse> fail, CancellationToken cancellationToken)
    {
        var keys = keyStore.Get();
        if (Text(r, "appid") != keys.AppId) return fail(400, "APPID_MCHID_NOT_MATCH", "appid 和 mch_id 不匹配");
        if (Text(r, "mchid") != keys.MchId) return fail(400, "MCH_NOT_EXISTS", "商户号不存在");
        if (Text(r, "out_trade_no") is not { } outTradeNo || !OrderNumbers.IsValid(outTradeNo)) return fail(400, "PARAM_ERROR", "out_trade_no 格式错误");
        if (Text(r, "description") is not { Length: > 0 } description || Text(r, "notify_url") is not { } notifyUrl || !Uri.TryCreate(notifyUrl, UriKind.Absolute, out _))
            return fail(400, "PARAM_ERROR", "description 或 notify_url 有误");
        if (!r.TryGetProperty("amount", out var amount) || !amount.TryGetProperty("total", out var t) || !t.TryGetInt64(out var total) || total <= 0)
            return fail(400, "PARAM_ERROR", "amount.total 必须是正整数（分）");
        if (tradeType == "MWEB" && (!r.TryGetProperty("scene_info", out var scene) || Text(scene, "payer_client_ip") is null))
            return fail(400, "PARAM_ERROR", "H5 支付需要 scene_info.payer_client_ip");
        var now = clock.GetUtcNow();
        var expires = Text(r, "time_expire") is { } te && DateTimeOffset.TryParse(te, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at.ToUniversalTime() : now.AddHours(2);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await db.WechatSimulatorTrades.AsNoTracking().FirstOrDefaultAsync(x => x.MchId == keys.MchId && x.OutTradeNo == outTradeNo, cancellationToken);
        if (trade is null)
        {
            trade = new WechatSimulatorTrade
            {
                Id = Ids.New(),
                MchId = keys.MchId,
                AppId = keys.AppId,
                OutTradeNo = outTradeNo,
                TradeType = tradeType,
                Description = description.Length > 256 ? description[..256] : description,
                TotalFen = total,
                TradeState = "NOTPAY",
                NotifyUrl = notifyUrl,
                PayToken = Tokens.NewUrlToken(24),
                CreatedAt = now,
                ExpiresAt = expires,
            };
            db.WechatSimulatorTrades.Add(trade);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // NOTE: the unique (mchid, out_trade_no) index makes two simultaneous first calls share one order.
                db.ChangeTracker.Clear();
                trade = await db.WechatSimulatorTrades.AsNoTracking().FirstAsync(x => x.MchId == keys.MchId && x.OutTradeNo == outTradeNo, cancellationToken);
            }
        }

        if (trade.TotalFen != total || trade.TradeType != tradeType) return fail(400, "INVALID_REQUEST", "商户订单号重复，且参数与原订单不一致");
        if (trade.TradeState != "NOTPAY") return fail(400, trade.TradeState == "CLOSED" ? "ORDER_CLOSED" : "ORDERPAID", "订单状态不允许下单");
        var link = portal.Value.Link($"{BasePath}/{(tradeType == "MWEB" ? "h5" : "pay")}/{trade.PayToken}");
        return tradeType == "MWEB" ? answer(200, new { h5_url = link }) : answer(200, new { code_url = link });
    }

    private async Task<WechatSimulatorResponse> QueryAsync(string outTradeNo, Func<int, object?, WechatSimulatorResponse> answer, Func<int, string, string, WechatSimulatorResponse> fail, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await FindAsync(db, outTradeNo, cancellationToken);
        if (trade is null) return fail(404, "ORDER_NOT_EXIST", "订单不存在");
        await CloseIfExpiredAsync(db, trade, cancellationToken);
        return answer(200, TransactionJson(trade));
    }

    private async Task<WechatSimulatorResponse> CloseAsync(string outTradeNo, JsonElement r, Func<int, object?, WechatSimulatorResponse> answer, Func<int, string, string, WechatSimulatorResponse> fail, CancellationToken cancellationToken)
    {
        if (Text(r, "mchid") != keyStore.Get().MchId) return fail(400, "PARAM_ERROR", "mchid 与请求商户不一致");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await FindAsync(db, outTradeNo, cancellationToken);
        if (trade is null) return fail(404, "ORDER_NOT_EXIST", "订单不存在");
        await db.WechatSimulatorTrades.Where(t => t.Id == trade.Id && t.TradeState == "NOTPAY")
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.TradeState, "CLOSED").SetProperty(t => t.ClosedAt, clock.GetUtcNow()), cancellationToken);
        await db.Entry(trade).ReloadAsync(cancellationToken);
        return trade.TradeState == "CLOSED" ? answer(204, null) : fail(400, "ORDERPAID", "订单已支付");
    }

    private async Task<WechatSimulatorResponse> RefundAsync(JsonElement r, Func<int, object?, WechatSimulatorResponse> answer, Func<int, string, string, WechatSimulatorResponse> fail, CancellationToken cancellationToken)
    {
        if (Text(r, "out_refund_no") is not { Length: > 0 } outRefundNo || !r.TryGetProperty("amount", out var amount)
            || !amount.TryGetProperty("refund", out var rf) || !rf.TryGetInt64(out var refundFen) || refundFen <= 0
            || !amount.TryGetProperty("total", out var tf) || !tf.TryGetInt64(out var totalFen))
            return fail(400, "PARAM_ERROR", "out_refund_no 或 amount 有误");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var earlier = await db.WechatSimulatorRefunds.AsNoTracking().FirstOrDefaultAsync(x => x.OutRefundNo == outRefundNo, cancellationToken);
        if (earlier is not null)
        {
            var of = await db.WechatSimulatorTrades.AsNoTracking().FirstAsync(t => t.Id == earlier.TradeId, cancellationToken);
            return earlier.RefundFen == refundFen ? answer(200, RefundJson(earlier, of, "PROCESSING")) : fail(400, "INVALID_REQUEST", "退款单号重复，且金额不一致");
        }

        var trade = Text(r, "out_trade_no") is { } outTradeNo ? await FindAsync(db, outTradeNo, cancellationToken) : null;
        if (trade is null) return fail(404, "RESOURCE_NOT_EXISTS", "订单不存在");
        if (trade.TradeState is not ("SUCCESS" or "REFUND")) return fail(400, "INVALID_REQUEST", "订单未支付，不能退款");
        if (totalFen != trade.TotalFen) return fail(400, "PARAM_ERROR", "amount.total 与订单金额不一致");
        var now = clock.GetUtcNow();
        // NOTE: conditional UPDATE on the refunded sum: concurrent refunds of one order can never exceed it.
        var claimed = await db.WechatSimulatorTrades.Where(t => t.Id == trade.Id && t.RefundedFen + refundFen <= t.TotalFen)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RefundedFen, t => t.RefundedFen + refundFen).SetProperty(t => t.TradeState, "REFUND"), cancellationToken);
        if (claimed == 0) return fail(403, "NOT_ENOUGH", "退款金额超过订单可退金额");
        var refund = new WechatSimulatorRefund
        {
            Id = Ids.New(),
            TradeId = trade.Id,
            OutRefundNo = outRefundNo,
            RefundId = "5030" + SimulatorKeyStore.Digits(6) + ChinaTime.ToChina(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + SimulatorKeyStore.Digits(10),
            RefundFen = refundFen,
            Status = "SUCCESS",
            NotifyUrl = Text(r, "notify_url"),
            CreatedAt = now,
            SucceededAt = now,
            NextNotifyAt = Text(r, "notify_url") is null ? null : now,
        };
        db.WechatSimulatorRefunds.Add(refund);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // NOTE: a concurrent call with the same out_refund_no won the unique index: give the money back, answer with its refund.
            db.ChangeTracker.Clear();
            await db.WechatSimulatorTrades.Where(t => t.Id == trade.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.RefundedFen, t => t.RefundedFen - refundFen), cancellationToken);
            var winner = await db.WechatSimulatorRefunds.AsNoTracking().FirstAsync(x => x.OutRefundNo == outRefundNo, cancellationToken);
            return answer(200, RefundJson(winner, trade, "PROCESSING"));
        }

        if (refund.NextNotifyAt is not null) notifier.Signal();
        // WeChat Pay accepts a refund as PROCESSING; the result comes by REFUND.SUCCESS notification or query.
        return answer(200, RefundJson(refund, trade, "PROCESSING"));
    }

    private async Task<WechatSimulatorResponse> QueryRefundAsync(string outRefundNo, Func<int, object?, WechatSimulatorResponse> answer, Func<int, string, string, WechatSimulatorResponse> fail, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var refund = await db.WechatSimulatorRefunds.AsNoTracking().FirstOrDefaultAsync(x => x.OutRefundNo == outRefundNo, cancellationToken);
        if (refund is null) return fail(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
        var trade = await db.WechatSimulatorTrades.AsNoTracking().FirstAsync(t => t.Id == refund.TradeId, cancellationToken);
        return answer(200, RefundJson(refund, trade, refund.Status));
    }

    private WechatSimulatorResponse Certificates()
    {
        var keys = keyStore.Get();
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(keys.PlatformCertificatePem);
        var encrypted = WechatPayAead.Encrypt(keys.ApiV3Key, keys.PlatformCertificatePem, "certificate");
        var body = JsonSerializer.Serialize(new
        {
            data = new[]
            {
                new
                {
                    serial_no = keys.PlatformCertificateSerial,
                    effective_time = WechatPayClient.Time(certificate.NotBefore),
                    expire_time = WechatPayClient.Time(certificate.NotAfter),
                    encrypt_certificate = new { algorithm = encrypted.Algorithm, nonce = encrypted.Nonce, associated_data = encrypted.AssociatedData, ciphertext = encrypted.Ciphertext },
                },
            },
        }, Json);
        // The certificate list is always signed with the certificate it delivers.
        return Sign(200, body, usePublicKey: false);
    }

    private async Task<WechatSimulatorResponse> TradeBillAsync(string billDate, Func<int, object?, WechatSimulatorResponse> answer, Func<int, string, string, WechatSimulatorResponse> fail, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(billDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return fail(400, "PARAM_ERROR", "bill_date 格式错误");
        if (date >= ChinaTime.Today(clock)) return fail(400, "NO_STATEMENT_EXIST", "账单尚未生成");
        var file = await BillGzipAsync(date, cancellationToken);
        var token = BillProtector.Protect($"{date:yyyy-MM-dd}|{clock.GetUtcNow().AddSeconds(30).ToUnixTimeSeconds()}");
        return answer(200, new
        {
            hash_type = "SHA1",
            hash_value = Convert.ToHexStringLower(SHA1.HashData(file)),
            download_url = portal.Value.Link($"{BasePath}{BillFilePath}?token={Uri.EscapeDataString(token)}"),
        });
    }

    private async Task<byte[]?> BillFileAsync(string token, CancellationToken cancellationToken)
    {
        string plain;
        try
        {
            plain = BillProtector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var parts = plain.Split('|');
        if (parts.Length != 2 || !DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var expires) || clock.GetUtcNow().ToUnixTimeSeconds() > expires)
            return null;
        return await BillGzipAsync(date, cancellationToken);
    }

    /// <summary>The ALL trade bill of a Beijing day: a payment line per paid order, a refund line per refund, then the totals.</summary>
    private async Task<byte[]> BillGzipAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).ToUniversalTime();
        var end = start.AddDays(1);
        var keys = keyStore.Get();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var paid = await db.WechatSimulatorTrades.AsNoTracking().Where(t => t.MchId == keys.MchId && t.PaidAt >= start && t.PaidAt < end).ToListAsync(cancellationToken);
        var refunds = await db.WechatSimulatorRefunds.AsNoTracking().Where(x => x.SucceededAt >= start && x.SucceededAt < end)
            .Join(db.WechatSimulatorTrades, x => x.TradeId, t => t.Id, (x, t) => new { Refund = x, Trade = t }).ToListAsync(cancellationToken);
        var lines = new List<WechatPayBillLine>();
        lines.AddRange(paid.Select(t => new WechatPayBillLine(t.PaidAt!.Value, t.AppId, t.MchId, t.TransactionId!, t.OutTradeNo, t.TradeType, "SUCCESS", t.TotalFen * Money.MicroPerFen, null, null, 0, null, t.Description)));
        lines.AddRange(refunds.Select(x => new WechatPayBillLine(x.Refund.SucceededAt!.Value, x.Trade.AppId, x.Trade.MchId, x.Trade.TransactionId!, x.Trade.OutTradeNo, x.Trade.TradeType, "REFUND",
            0, x.Refund.RefundId, x.Refund.OutRefundNo, x.Refund.RefundFen * Money.MicroPerFen, x.Refund.Status, x.Trade.Description)));
        var csv = WechatPayBill.Write(lines.OrderBy(l => l.At).ToList());
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(csv));
        }

        return output.ToArray();
    }

    private async Task<bool> CloseIfExpiredAsync(PortalDbContext db, WechatSimulatorTrade trade, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (trade.TradeState != "NOTPAY" || trade.ExpiresAt > now) return false;
        await db.WechatSimulatorTrades.Where(t => t.Id == trade.Id && t.TradeState == "NOTPAY")
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.TradeState, "CLOSED").SetProperty(t => t.ClosedAt, now), cancellationToken);
        await db.Entry(trade).ReloadAsync(cancellationToken);
        return trade.TradeState == "CLOSED";
    }

    private Task<WechatSimulatorTrade?> FindAsync(PortalDbContext db, string outTradeNo, CancellationToken cancellationToken)
    {
        var mchId = keyStore.Get().MchId;
        return db.WechatSimulatorTrades.FirstOrDefaultAsync(t => t.MchId == mchId && t.OutTradeNo == outTradeNo, cancellationToken);
    }

    private static object TransactionJson(WechatSimulatorTrade t) => new
    {
        appid = t.AppId,
        mchid = t.MchId,
        out_trade_no = t.OutTradeNo,
        transaction_id = t.TransactionId,
        trade_type = t.TransactionId is null ? null : t.TradeType,
        trade_state = t.TradeState,
        trade_state_desc = t.TradeState switch { "SUCCESS" => "支付成功", "REFUND" => "转入退款", "CLOSED" => "已关闭", _ => "未支付" },
        bank_type = t.TransactionId is null ? null : "OTHERS",
        success_time = t.PaidAt is { } at ? WechatPayClient.Time(at) : null,
        payer = t.PayerOpenId is null ? null : new { openid = t.PayerOpenId },
        amount = new { total = t.TotalFen, payer_total = t.PaidAt is null ? (long?)null : t.TotalFen, currency = "CNY", payer_currency = "CNY" },
    };

    private static object RefundJson(WechatSimulatorRefund x, WechatSimulatorTrade t, string status) => new
    {
        refund_id = x.RefundId,
        out_refund_no = x.OutRefundNo,
        transaction_id = t.TransactionId,
        out_trade_no = t.OutTradeNo,
        channel = "ORIGINAL",
        user_received_account = "支付用户零钱",
        success_time = status == "SUCCESS" && x.SucceededAt is { } at ? WechatPayClient.Time(at) : null,
        create_time = WechatPayClient.Time(x.CreatedAt),
        status,
        amount = new { total = t.TotalFen, refund = x.RefundFen, payer_total = t.TotalFen, payer_refund = x.RefundFen, currency = "CNY" },
    };

    private static WechatSimulatorTradeView View(WechatSimulatorTrade t) =>
        new(t.Id, t.OutTradeNo, t.TransactionId, t.Description, Money.FromFen(t.TotalFen), t.TradeState, t.TradeType, t.ExpiresAt);

    private static string? Text(JsonElement e, string name) => WechatPayClient.Text(e, name);

    [GeneratedRegex("^/v3/pay/transactions/out-trade-no/([^/]+)(/close)?$")]
    private static partial Regex TransactionPath();
}
