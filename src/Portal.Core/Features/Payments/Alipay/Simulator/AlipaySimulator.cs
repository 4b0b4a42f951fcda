using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.Alipay.Simulator;

/// <summary>What the simulated gateway answers: signed JSON, the cashier (page pay), or an error page for the browser.</summary>
public abstract record GatewayAnswer;

public sealed record JsonGatewayAnswer(string Body) : GatewayAnswer;

public sealed record CashierGatewayAnswer(Guid TradeId) : GatewayAnswer;

public sealed record ErrorPageGatewayAnswer(string SubCode, string Message) : GatewayAnswer;

/// <summary>A trade as the cashier and scan pages show it.</summary>
public sealed record SimulatorTradeView(Guid Id, string TradeNo, string OutTradeNo, string Subject, Money Amount, SimulatorTradeStatus Status, DateTimeOffset? ExpiresAt, string? ReturnUrl, bool IsQr);

/// <summary>
/// The built-in Alipay stand-in (Alipay:Mode = Simulator). It speaks the gateway protocol with the library's own
/// server-side pieces: it checks request signatures with the merchant's public key (isv.invalid-signature otherwise),
/// signs every answer and notification with its own "Alipay" key, creates trades the way Alipay does (page pay when
/// the cashier opens, precreate when the code is scanned), closes them at time_expire, and serves daily bills.
/// </summary>
public sealed class AlipaySimulator(
    IDbContextFactory<PortalDbContext> dbFactory,
    SimulatorKeyStore keyStore,
    AlipaySimulatorNotifier notifier,
    IDataProtectionProvider protection,
    IOptions<AlipaySimulatorOptions> options,
    IOptions<PortalOptions> portal,
    TimeProvider clock)
{
    public const string BasePath = "/_simulator/alipay";
    public const string GatewayPath = BasePath + "/gateway.do";
    public const string PagePayProduct = "FAST_INSTANT_TRADE_PAY";
    public const string PrecreateProduct = "FACE_TO_FACE_PAYMENT";

    private static readonly Error TradeNotExist = new("ACQ.TRADE_NOT_EXIST", "交易不存在");

    private IDataProtector BillProtector => protection.CreateProtector("Portal.AlipaySimulator.Bill");

    /// <summary>Handles one call to gateway.do (query string and form merged by the caller).</summary>
    public async Task<GatewayAnswer> HandleGatewayAsync(IReadOnlyList<KeyValuePair<string, string?>> fields, CancellationToken cancellationToken = default)
    {
        var keys = keyStore.Get();
        var method = fields.FirstOrDefault(f => f.Key == "method").Value ?? "unknown";
        // The cashier is a browser page, so page-pay failures are shown as an error page, like Alipay's.
        GatewayAnswer Reject(Error error) =>
            method == AlipayClient.PagePayMethod ? new ErrorPageGatewayAnswer(error.Code, error.Message) : Fail(method, error);

        var parsed = AlipayGatewayRequest.Parse(fields);
        if (!parsed.IsSuccess) return Reject(parsed.Error!);
        var request = parsed.Value!;
        if (request.AppId != keys.AppId) return Reject(new Error("isv.invalid-app-id", "无效的AppID参数"));
        using (var merchantPublicKey = RsaKeys.LoadPublicKey(keys.MerchantPublicKey))
        {
            if (!request.VerifySignature(merchantPublicKey)) return Reject(request.InvalidSignatureError());
        }

        JsonElement biz;
        try
        {
            using var document = JsonDocument.Parse(request.BizContent ?? "{}");
            biz = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Reject(new Error("isv.invalid-parameter", "biz_content 不是合法的 JSON"));
        }

        if (biz.ValueKind != JsonValueKind.Object) return Reject(new Error("isv.invalid-parameter", "biz_content 不是 JSON 对象"));
        return request.Method switch
        {
            AlipayClient.PagePayMethod => await PagePayAsync(request, biz, cancellationToken),
            AlipayClient.PrecreateMethod => await PrecreateAsync(request, biz, cancellationToken),
            AlipayClient.QueryMethod => await QueryAsync(biz, cancellationToken),
            AlipayClient.CloseMethod => await CloseAsync(biz, cancellationToken),
            AlipayClient.RefundMethod => await RefundAsync(biz, cancellationToken),
            AlipayClient.BillDownloadUrlMethod => BillDownloadUrl(biz),
            _ => Reject(new Error("isv.invalid-method", "不存在的方法名")),
        };
    }

    public async Task<SimulatorTradeView?> GetTradeAsync(Guid tradeId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await db.SimulatorTrades.FirstOrDefaultAsync(t => t.Id == tradeId, cancellationToken);
        if (trade is null) return null;
        await CloseIfExpiredAsync(db, trade, cancellationToken);
        return View(trade);
    }

    /// <summary>The buyer scans a precreated code: Alipay creates the trade now (WAIT_BUYER_PAY).</summary>
    public async Task<SimulatorTradeView?> ScanAsync(string qrToken, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await db.SimulatorTrades.FirstOrDefaultAsync(t => t.QrToken == qrToken, cancellationToken);
        if (trade is null) return null;
        if (await CloseIfExpiredAsync(db, trade, cancellationToken)) return View(trade);
        if (trade.Status == SimulatorTradeStatus.Precreated)
        {
            await db.SimulatorTrades.Where(t => t.Id == trade.Id && t.Status == SimulatorTradeStatus.Precreated)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, SimulatorTradeStatus.WaitBuyerPay), cancellationToken);
            await db.Entry(trade).ReloadAsync(cancellationToken);
        }

        return View(trade);
    }

    /// <summary>
    /// The buyer pays: WAIT_BUYER_PAY → TRADE_SUCCESS, and the notification is queued. Returns the browser's
    /// signed return URL for page pay (null for QR or when there is none).
    /// </summary>
    public async Task<Result<string?>> PayAsync(Guid tradeId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await db.SimulatorTrades.FirstOrDefaultAsync(t => t.Id == tradeId, cancellationToken);
        if (trade is null) return TradeNotExist;
        if (await CloseIfExpiredAsync(db, trade, cancellationToken)) return new Error("ACQ.TRADE_HAS_CLOSE", "交易已超时关闭");
        var now = clock.GetUtcNow();
        // NOTE: conditional on WAIT_BUYER_PAY, so a repeated click pays (and notifies) once.
        var paid = await db.SimulatorTrades.Where(t => t.Id == tradeId && t.Status == SimulatorTradeStatus.WaitBuyerPay)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, SimulatorTradeStatus.TradeSuccess)
                .SetProperty(t => t.PaidAt, now)
                .SetProperty(t => t.BuyerLogonId, "sim***@example.com")
                .SetProperty(t => t.BuyerId, "2088" + SimulatorKeyStore.Digits(12))
                .SetProperty(t => t.NotifyId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)))
                .SetProperty(t => t.NotifyAttempts, 0)
                .SetProperty(t => t.NextNotifyAt, t => t.NotifyUrl == null ? null : (DateTimeOffset?)now),
                cancellationToken);
        await db.Entry(trade).ReloadAsync(cancellationToken);
        if (paid == 0 && trade.Status is not (SimulatorTradeStatus.TradeSuccess or SimulatorTradeStatus.TradeFinished))
            return new Error("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
        if (paid == 1) notifier.Signal();
        return trade.ReturnUrl is null || trade.ProductCode != PagePayProduct ? null : SignedReturnUrl(trade);
    }

    /// <summary>The buyer gives up at the cashier: the simulator closes the trade so it cannot be paid any more.</summary>
    public async Task<SimulatorTradeView?> CancelAsync(Guid tradeId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SimulatorTrades.Where(t => t.Id == tradeId && (t.Status == SimulatorTradeStatus.WaitBuyerPay || t.Status == SimulatorTradeStatus.Precreated))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, SimulatorTradeStatus.TradeClosed).SetProperty(t => t.ClosedAt, clock.GetUtcNow()), cancellationToken);
        var trade = await db.SimulatorTrades.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tradeId, cancellationToken);
        return trade is null ? null : View(trade);
    }

    /// <summary>The ZIP behind a bill download URL; null when the link is forged or expired.</summary>
    public async Task<byte[]?> DownloadBillAsync(string token, CancellationToken cancellationToken = default)
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
        if (parts.Length != 3 || !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var billDate)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var expires) || clock.GetUtcNow().ToUnixTimeSeconds() > expires)
            return null;

        var keys = keyStore.Get();
        if (parts[0] != keys.AppId) return null;
        return AlipayBillWriter.WriteZip(keys.SellerId, billDate, await BillRowsAsync(keys.AppId, billDate, cancellationToken));
    }

    private async Task<GatewayAnswer> PagePayAsync(AlipayGatewayRequest request, JsonElement biz, CancellationToken cancellationToken)
    {
        var order = ReadOrder(biz, PagePayProduct);
        if (!order.IsSuccess) return new ErrorPageGatewayAnswer(order.Error!.Code, order.Error.Message);
        var created = await CreateOrReuseAsync(request, order.Value!, SimulatorTradeStatus.WaitBuyerPay, cancellationToken);
        if (!created.IsSuccess) return new ErrorPageGatewayAnswer(created.Error!.Code, created.Error.Message);
        return new CashierGatewayAnswer(created.Value!.Id);
    }

    private async Task<GatewayAnswer> PrecreateAsync(AlipayGatewayRequest request, JsonElement biz, CancellationToken cancellationToken)
    {
        var order = ReadOrder(biz, PrecreateProduct);
        if (!order.IsSuccess) return Fail(request.Method, order.Error!);
        var created = await CreateOrReuseAsync(request, order.Value!, SimulatorTradeStatus.Precreated, cancellationToken);
        if (!created.IsSuccess) return Fail(request.Method, created.Error!);
        var trade = created.Value!;
        return Ok(request.Method, new()
        {
            ["out_trade_no"] = trade.OutTradeNo,
            ["qr_code"] = portal.Value.Link($"{BasePath}/qr/{trade.QrToken}"),
        });
    }

    private async Task<GatewayAnswer> QueryAsync(JsonElement biz, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await FindAsync(db, biz, cancellationToken);
        if (trade is null || trade.Status == SimulatorTradeStatus.Precreated) return Fail(AlipayClient.QueryMethod, TradeNotExist);
        await CloseIfExpiredAsync(db, trade, cancellationToken);
        var paid = trade.Status is SimulatorTradeStatus.TradeSuccess or SimulatorTradeStatus.TradeFinished || (trade.Status == SimulatorTradeStatus.TradeClosed && trade.PaidAt is not null);
        var amount = AlipayAmount.Format(trade.TotalAmountMicroYuan);
        return Ok(AlipayClient.QueryMethod, new()
        {
            ["trade_no"] = trade.TradeNo,
            ["out_trade_no"] = trade.OutTradeNo,
            ["buyer_logon_id"] = trade.BuyerLogonId,
            ["buyer_user_id"] = trade.BuyerId,
            ["trade_status"] = StatusWireName(trade.Status),
            ["total_amount"] = amount,
            ["buyer_pay_amount"] = paid ? amount : null,
            ["receipt_amount"] = paid ? amount : null,
            ["send_pay_date"] = trade.PaidAt is { } at ? AlipayTime.Format(at) : null,
        });
    }

    private async Task<GatewayAnswer> CloseAsync(JsonElement biz, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await FindAsync(db, biz, cancellationToken);
        if (trade is null) return Fail(AlipayClient.CloseMethod, TradeNotExist);
        var now = clock.GetUtcNow();
        if (trade.Status == SimulatorTradeStatus.Precreated)
        {
            // Alipay does not know an unscanned code yet; the simulator still makes sure it can never be paid.
            await db.SimulatorTrades.Where(t => t.Id == trade.Id && t.Status == SimulatorTradeStatus.Precreated)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, SimulatorTradeStatus.TradeClosed).SetProperty(t => t.ClosedAt, now), cancellationToken);
            return Fail(AlipayClient.CloseMethod, TradeNotExist);
        }

        var closed = await db.SimulatorTrades.Where(t => t.Id == trade.Id && t.Status == SimulatorTradeStatus.WaitBuyerPay)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, SimulatorTradeStatus.TradeClosed).SetProperty(t => t.ClosedAt, now), cancellationToken);
        await db.Entry(trade).ReloadAsync(cancellationToken);
        if (closed == 0 && !(trade.Status == SimulatorTradeStatus.TradeClosed && trade.PaidAt is null))
            return Fail(AlipayClient.CloseMethod, new Error("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"));
        return Ok(AlipayClient.CloseMethod, new() { ["trade_no"] = trade.TradeNo, ["out_trade_no"] = trade.OutTradeNo });
    }

    private async Task<GatewayAnswer> RefundAsync(JsonElement biz, CancellationToken cancellationToken)
    {
        const string method = AlipayClient.RefundMethod;
        if (!AlipayAmount.TryParse(Text(biz, "refund_amount"), out var amount) || amount <= 0)
            return Fail(method, new Error("isv.invalid-parameter", "refund_amount 不合法"));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await FindAsync(db, biz, cancellationToken);
        if (trade is null || trade.Status == SimulatorTradeStatus.Precreated) return Fail(method, TradeNotExist);
        var requestNo = Text(biz, "out_request_no") ?? trade.OutTradeNo;

        var earlier = await db.SimulatorRefunds.AsNoTracking().FirstOrDefaultAsync(r => r.TradeId == trade.Id && r.OutRequestNo == requestNo, cancellationToken);
        var fundChange = earlier is null;
        if (earlier is null)
        {
            if (trade.Status != SimulatorTradeStatus.TradeSuccess) return Fail(method, new Error("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"));
            if (trade.RefundedMicroYuan + amount > trade.TotalAmountMicroYuan) return Fail(method, new Error("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限"));
            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional on the refunded total just read, so concurrent refunds cannot exceed the trade;
            // the unique (trade, out_request_no) index makes a retried request refund once.
            var refunded = trade.RefundedMicroYuan;
            var full = refunded + amount == trade.TotalAmountMicroYuan;
            var updated = await db.SimulatorTrades.Where(t => t.Id == trade.Id && t.RefundedMicroYuan == refunded && t.Status == SimulatorTradeStatus.TradeSuccess)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RefundedMicroYuan, refunded + amount)
                    .SetProperty(t => t.Status, full ? SimulatorTradeStatus.TradeClosed : SimulatorTradeStatus.TradeSuccess)
                    .SetProperty(t => t.ClosedAt, t => full ? now : t.ClosedAt), cancellationToken);
            if (updated == 0) return Fail(method, new Error("ACQ.SYSTEM_ERROR", "系统繁忙，请使用相同的 out_request_no 重试"));
            db.SimulatorRefunds.Add(new SimulatorRefund { Id = Ids.New(), TradeId = trade.Id, OutRequestNo = requestNo, AmountMicroYuan = amount, At = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                return Fail(method, new Error("ACQ.SYSTEM_ERROR", "系统繁忙，请使用相同的 out_request_no 重试"));
            }
        }

        await db.Entry(trade).ReloadAsync(cancellationToken);
        var refund = earlier ?? await db.SimulatorRefunds.AsNoTracking().FirstAsync(r => r.TradeId == trade.Id && r.OutRequestNo == requestNo, cancellationToken);
        return Ok(method, new()
        {
            ["trade_no"] = trade.TradeNo,
            ["out_trade_no"] = trade.OutTradeNo,
            ["buyer_logon_id"] = trade.BuyerLogonId,
            ["fund_change"] = fundChange ? "Y" : "N",
            ["refund_fee"] = AlipayAmount.Format(trade.RefundedMicroYuan),
            ["gmt_refund_pay"] = AlipayTime.Format(refund.At),
        });
    }

    private GatewayAnswer BillDownloadUrl(JsonElement biz)
    {
        const string method = AlipayClient.BillDownloadUrlMethod;
        if (Text(biz, "bill_type") != "trade") return Fail(method, new Error("BILL_TYPE_NOT_SUPPORTED", "模拟器只提供 trade 账单"));
        if (!DateOnly.TryParseExact(Text(biz, "bill_date"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var billDate))
            return Fail(method, new Error("isv.invalid-parameter", "bill_date 不合法"));
        if (billDate >= ChinaTime.Today(clock)) return Fail(method, new Error("BILL_NOT_EXIST", "账单不存在"));

        var keys = keyStore.Get();
        var expires = clock.GetUtcNow().Add(options.Value.BillUrlLifetime).ToUnixTimeSeconds();
        var token = BillProtector.Protect(string.Create(CultureInfo.InvariantCulture, $"{keys.AppId}|{billDate:yyyy-MM-dd}|{expires}"));
        return Ok(method, new() { ["bill_download_url"] = portal.Value.Link($"{BasePath}/bill/{token}") });
    }

    private async Task<IReadOnlyList<AlipayBillRow>> BillRowsAsync(string appId, DateOnly billDate, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(billDate.ToDateTime(TimeOnly.MinValue), AlipayTime.Offset).ToUniversalTime();
        var end = start.AddDays(1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var paid = await db.SimulatorTrades.AsNoTracking().Where(t => t.AppId == appId && t.PaidAt >= start && t.PaidAt < end).OrderBy(t => t.PaidAt).ToListAsync(cancellationToken);
        var refunds = await db.SimulatorRefunds.AsNoTracking().Where(r => r.At >= start && r.At < end)
            .Join(db.SimulatorTrades.Where(t => t.AppId == appId), r => r.TradeId, t => t.Id, (r, t) => new { Refund = r, Trade = t })
            .OrderBy(x => x.Refund.At).ToListAsync(cancellationToken);
        return paid.Select(t => new AlipayBillRow(t.TradeNo, t.OutTradeNo, AlipayBillRow.PaymentType, t.Subject, t.CreatedAt, t.PaidAt, t.BuyerLogonId,
                t.TotalAmountMicroYuan, t.TotalAmountMicroYuan, null, 0, null))
            .Concat(refunds.Select(x => new AlipayBillRow(x.Trade.TradeNo, x.Trade.OutTradeNo, AlipayBillRow.RefundType, x.Trade.Subject, x.Trade.CreatedAt, x.Refund.At,
                x.Trade.BuyerLogonId, -x.Refund.AmountMicroYuan, -x.Refund.AmountMicroYuan, x.Refund.OutRequestNo, 0, null)))
            .ToList();
    }

    private sealed record OrderRequest(string OutTradeNo, long Amount, string Subject, string ProductCode, DateTimeOffset? ExpiresAt);

    private static Result<OrderRequest> ReadOrder(JsonElement biz, string defaultProduct)
    {
        var outTradeNo = Text(biz, "out_trade_no");
        if (!OrderNumbers.IsValid(outTradeNo)) return new Error("isv.invalid-parameter", "out_trade_no 不合法：最长 64 位字母、数字、下划线");
        if (!AlipayAmount.TryParse(Text(biz, "total_amount"), out var amount) || amount < AlipayAmount.MicroYuanPerFen || amount > 100_000_000 * AlipayAmount.MicroYuanPerYuan)
            return new Error("isv.invalid-parameter", "total_amount 不合法");
        var subject = Text(biz, "subject");
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 256) return new Error("isv.invalid-parameter", "subject 不合法");
        var product = Text(biz, "product_code") ?? defaultProduct;
        if (product != defaultProduct) return new Error("ACQ.PRODUCT_CODE_ERROR", "product_code 不合法");
        DateTimeOffset? expiresAt = null;
        if (Text(biz, "time_expire") is { } expireText)
        {
            if (!AlipayTime.TryParse(expireText, out var parsed)) return new Error("isv.invalid-parameter", "time_expire 不合法");
            expiresAt = parsed.ToUniversalTime();
        }

        return new OrderRequest(outTradeNo!, amount, subject, product, expiresAt);
    }

    private async Task<Result<SimulatorTrade>> CreateOrReuseAsync(AlipayGatewayRequest request, OrderRequest order, SimulatorTradeStatus initial, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var trade = await db.SimulatorTrades.FirstOrDefaultAsync(t => t.AppId == request.AppId && t.OutTradeNo == order.OutTradeNo, cancellationToken);
            if (trade is not null)
            {
                if (trade.TotalAmountMicroYuan != order.Amount || trade.ProductCode != order.ProductCode)
                    return new Error("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
                if (await CloseIfExpiredAsync(db, trade, cancellationToken) || trade.Status == SimulatorTradeStatus.TradeClosed)
                    return new Error("ACQ.TRADE_HAS_CLOSE", "交易已关闭");
                if (trade.Status is SimulatorTradeStatus.TradeSuccess or SimulatorTradeStatus.TradeFinished)
                    return new Error("ACQ.TRADE_HAS_SUCCESS", "交易已支付");
                return trade;
            }

            var now = clock.GetUtcNow();
            if (order.ExpiresAt is { } expires && expires <= now) return new Error("ACQ.TRADE_HAS_CLOSE", "交易已超时关闭");
            trade = new SimulatorTrade
            {
                Id = Ids.New(),
                AppId = request.AppId,
                OutTradeNo = order.OutTradeNo,
                TradeNo = ChinaTime.ToChina(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "2200" + SimulatorKeyStore.Digits(16),
                ProductCode = order.ProductCode,
                Subject = order.Subject,
                TotalAmountMicroYuan = order.Amount,
                Status = initial,
                NotifyUrl = request.NotifyUrl,
                ReturnUrl = request.ReturnUrl,
                QrToken = initial == SimulatorTradeStatus.Precreated ? Tokens.NewUrlToken(24) : null,
                CreatedAt = now,
                // Alipay's defaults when no time_expire is sent: 3 h for QR codes, 15 days for the cashier.
                ExpiresAt = order.ExpiresAt ?? now + (initial == SimulatorTradeStatus.Precreated ? TimeSpan.FromHours(3) : TimeSpan.FromDays(15)),
            };
            db.SimulatorTrades.Add(trade);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return trade;
            }
            catch (DbUpdateException)
            {
                // NOTE: the unique (app_id, out_trade_no) index makes two simultaneous first calls share one trade.
                db.ChangeTracker.Clear();
            }
        }

        return new Error("ACQ.SYSTEM_ERROR", "系统繁忙");
    }

    /// <summary>Closes an unpaid trade whose time_expire has passed, as Alipay does on its own. True when closed.</summary>
    private async Task<bool> CloseIfExpiredAsync(PortalDbContext db, SimulatorTrade trade, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (trade.Status is not (SimulatorTradeStatus.WaitBuyerPay or SimulatorTradeStatus.Precreated) || trade.ExpiresAt is not { } expires || expires > now) return false;
        await db.SimulatorTrades.Where(t => t.Id == trade.Id && (t.Status == SimulatorTradeStatus.WaitBuyerPay || t.Status == SimulatorTradeStatus.Precreated))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, SimulatorTradeStatus.TradeClosed).SetProperty(t => t.ClosedAt, now), cancellationToken);
        await db.Entry(trade).ReloadAsync(cancellationToken);
        return trade.Status == SimulatorTradeStatus.TradeClosed;
    }

    private async Task<SimulatorTrade?> FindAsync(PortalDbContext db, JsonElement biz, CancellationToken cancellationToken)
    {
        var appId = keyStore.Get().AppId;
        // trade_no wins over out_trade_no, as at Alipay.
        if (Text(biz, "trade_no") is { } tradeNo)
            return await db.SimulatorTrades.FirstOrDefaultAsync(t => t.AppId == appId && t.TradeNo == tradeNo, cancellationToken);
        return Text(biz, "out_trade_no") is { } outTradeNo
            ? await db.SimulatorTrades.FirstOrDefaultAsync(t => t.AppId == appId && t.OutTradeNo == outTradeNo, cancellationToken)
            : null;
    }

    private string SignedReturnUrl(SimulatorTrade trade)
    {
        var keys = keyStore.Get();
        using var alipayKey = RsaKeys.LoadPrivateKey(keys.AlipayPrivateKey);
        var fields = AlipayNotifyBuilder.BuildSignedFields(
        [
            new("charset", "utf-8"),
            new("out_trade_no", trade.OutTradeNo),
            new("method", "alipay.trade.page.pay.return"),
            new("total_amount", AlipayAmount.Format(trade.TotalAmountMicroYuan)),
            new("trade_no", trade.TradeNo),
            new("auth_app_id", keys.AppId),
            new("version", "1.0"),
            new("app_id", keys.AppId),
            new("seller_id", keys.SellerId),
            new("timestamp", AlipayTime.Format(clock.GetUtcNow())),
        ], alipayKey);
        var query = string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
        return trade.ReturnUrl + (trade.ReturnUrl!.Contains('?') ? "&" : "?") + query;
    }

    /// <summary>The fields of the trade_status_sync notification for a trade, signed (V1) with the simulator's Alipay key.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> BuildNotification(SimulatorTrade trade)
    {
        var keys = keyStore.Get();
        var amount = AlipayAmount.Format(trade.TotalAmountMicroYuan);
        using var alipayKey = RsaKeys.LoadPrivateKey(keys.AlipayPrivateKey);
        return AlipayNotifyBuilder.BuildSignedFields(
        [
            new("notify_time", AlipayTime.Format(clock.GetUtcNow())),
            new("notify_type", "trade_status_sync"),
            new("notify_id", trade.NotifyId ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
            new("app_id", keys.AppId),
            new("auth_app_id", keys.AppId),
            new("charset", "utf-8"),
            new("version", "1.0"),
            new("trade_no", trade.TradeNo),
            new("out_trade_no", trade.OutTradeNo),
            new("buyer_id", trade.BuyerId),
            new("buyer_logon_id", trade.BuyerLogonId),
            new("seller_id", keys.SellerId),
            new("trade_status", StatusWireName(trade.Status)),
            new("total_amount", amount),
            new("receipt_amount", amount),
            new("invoice_amount", amount),
            new("buyer_pay_amount", amount),
            new("point_amount", "0.00"),
            new("subject", trade.Subject),
            new("gmt_create", AlipayTime.Format(trade.CreatedAt)),
            new("gmt_payment", trade.PaidAt is { } paidAt ? AlipayTime.Format(paidAt) : null),
            new("fund_bill_list", $"[{{\"amount\":\"{amount}\",\"fundChannel\":\"ALIPAYACCOUNT\"}}]"),
        ], alipayKey);
    }

    private static SimulatorTradeView View(SimulatorTrade t) =>
        new(t.Id, t.TradeNo, t.OutTradeNo, t.Subject, new Money(t.TotalAmountMicroYuan), t.Status, t.ExpiresAt, t.ReturnUrl, t.ProductCode == PrecreateProduct);

    private static string StatusWireName(SimulatorTradeStatus status) => status switch
    {
        SimulatorTradeStatus.TradeSuccess => "TRADE_SUCCESS",
        SimulatorTradeStatus.TradeFinished => "TRADE_FINISHED",
        SimulatorTradeStatus.TradeClosed => "TRADE_CLOSED",
        _ => "WAIT_BUYER_PAY",
    };

    private static string? Text(JsonElement biz, string name) =>
        biz.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private JsonGatewayAnswer Ok(string method, Dictionary<string, string?> fields)
    {
        var node = new Dictionary<string, string> { ["code"] = AlipayResponse.SuccessCode, ["msg"] = "Success" };
        foreach (var (key, value) in fields)
        {
            if (value is not null) node[key] = value;
        }

        using var alipayKey = RsaKeys.LoadPrivateKey(keyStore.Get().AlipayPrivateKey);
        return new JsonGatewayAnswer(AlipayGatewayResponse.BuildSignedBody(method, node, alipayKey));
    }

    private JsonGatewayAnswer Fail(string method, Error error)
    {
        using var alipayKey = RsaKeys.LoadPrivateKey(keyStore.Get().AlipayPrivateKey);
        return new JsonGatewayAnswer(AlipayGatewayResponse.BuildSignedFailureBody(method, error, alipayKey));
    }
}
