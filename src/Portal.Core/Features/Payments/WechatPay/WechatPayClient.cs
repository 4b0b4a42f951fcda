using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

public sealed record WechatPayOrderRequest(string OutTradeNo, long AmountMicroYuan, string Description, string NotifyUrl, DateTimeOffset ExpiresAt, string? PayerClientIp = null);

/// <summary>What <c>GET /v3/pay/transactions/out-trade-no/{no}</c> says about an order.</summary>
public sealed record WechatPayTransaction(string OutTradeNo, string? TransactionId, string TradeState, string? TradeType, long? TotalFen, DateTimeOffset? SuccessTime, string? MchId, string? AppId)
{
    public bool IsPaid => TradeState == "SUCCESS" || TradeState == "REFUND";

    public long TotalMicroYuan => (TotalFen ?? 0) * Money.MicroPerFen;
}

public sealed record WechatPayRefundRequest(string OutTradeNo, string OutRefundNo, long RefundMicroYuan, long TotalMicroYuan, string? Reason, string? NotifyUrl);

/// <summary>A refund as WeChat Pay reports it; Status is SUCCESS, PROCESSING, CLOSED or ABNORMAL.</summary>
public sealed record WechatPayRefund(string OutRefundNo, string? RefundId, string OutTradeNo, string Status, long RefundFen, DateTimeOffset? SuccessTime)
{
    public long RefundMicroYuan => RefundFen * Money.MicroPerFen;
}

/// <summary>
/// WeChat Pay APIv3 client (direct merchant). Every call is signed with the merchant key, and every answer's signature,
/// timestamp and serial is verified before anything in it is believed. Business errors come back as
/// <c>WechatPay.{code}</c>; transport trouble and 5xx as <see cref="WechatPayErrors.UnavailableCode"/>.
/// </summary>
public sealed class WechatPayClient(HttpClient http, IOptions<WechatPayOptions> options, WechatPayVerifier verifier, TimeProvider clock)
{
    public const string NativePath = "/v3/pay/transactions/native";
    public const string H5Path = "/v3/pay/transactions/h5";
    public const string CertificatesPath = "/v3/certificates";
    public const string RefundsPath = "/v3/refund/domestic/refunds";
    public const string TradeBillPath = "/v3/bill/tradebill";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private WechatPayOptions O => options.Value;

    /// <summary>Native pay: returns the <c>code_url</c> to draw as a QR code.</summary>
    public async Task<Result<string>> NativeAsync(WechatPayOrderRequest request, CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync(HttpMethod.Post, NativePath, OrderBody(request, null), cancellationToken);
        if (!answer.IsSuccess) return answer.Error!;
        return Text(answer.Value, "code_url") is { Length: > 0 } url ? url : WechatPayErrors.InvalidResponse("The native answer has no code_url.");
    }

    /// <summary>H5 pay: returns the <c>h5_url</c> the mobile browser opens.</summary>
    public async Task<Result<string>> H5Async(WechatPayOrderRequest request, CancellationToken cancellationToken = default)
    {
        var scene = new { payer_client_ip = request.PayerClientIp ?? "127.0.0.1", h5_info = new { type = "Wap" } };
        var answer = await CallAsync(HttpMethod.Post, H5Path, OrderBody(request, scene), cancellationToken);
        if (!answer.IsSuccess) return answer.Error!;
        return Text(answer.Value, "h5_url") is { Length: > 0 } url ? url : WechatPayErrors.InvalidResponse("The H5 answer has no h5_url.");
    }

    /// <summary>Queries by out_trade_no; <see cref="WechatPayErrors.OrderNotExist"/> when WeChat Pay does not know it.</summary>
    public async Task<Result<WechatPayTransaction>> QueryAsync(string outTradeNo, CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={Uri.EscapeDataString(O.MchId)}", null, cancellationToken);
        if (!answer.IsSuccess) return answer.Error!;
        return ParseTransaction(answer.Value);
    }

    /// <summary>Closes an unpaid order (204). Closing a paid order fails with <c>WechatPay.ORDERPAID</c>.</summary>
    public async Task<Result<Unit>> CloseAsync(string outTradeNo, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(new { mchid = O.MchId }, Json);
        var answer = await CallAsync(HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}/close", body, cancellationToken);
        return answer.IsSuccess ? Unit.Value : answer.Error!;
    }

    /// <summary>
    /// Refunds part of a paid order. WeChat Pay refunds once per out_refund_no: on any failure, including Unavailable,
    /// retry with the same number or query it.
    /// </summary>
    public async Task<Result<WechatPayRefund>> RefundAsync(WechatPayRefundRequest request, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(new
        {
            out_trade_no = request.OutTradeNo,
            out_refund_no = request.OutRefundNo,
            reason = request.Reason,
            notify_url = request.NotifyUrl,
            amount = new { refund = Fen(request.RefundMicroYuan), total = Fen(request.TotalMicroYuan), currency = "CNY" },
        }, Json);
        var answer = await CallAsync(HttpMethod.Post, RefundsPath, body, cancellationToken);
        return answer.IsSuccess ? ParseRefund(answer.Value) : answer.Error!;
    }

    public async Task<Result<WechatPayRefund>> QueryRefundAsync(string outRefundNo, CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync(HttpMethod.Get, $"{RefundsPath}/{Uri.EscapeDataString(outRefundNo)}", null, cancellationToken);
        return answer.IsSuccess ? ParseRefund(answer.Value) : answer.Error!;
    }

    /// <summary>
    /// The trade bill of one day: <c>GET /v3/bill/tradebill</c> gives a download URL and the file's SHA1; the download is
    /// itself a signed GET whose body (not signed) must match that hash. Returns the CSV text.
    /// </summary>
    public async Task<Result<string>> DownloadTradeBillAsync(DateOnly billDate, CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync(HttpMethod.Get, $"{TradeBillPath}?bill_date={billDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&bill_type=ALL&tar_type=GZIP", null, cancellationToken);
        if (!answer.IsSuccess) return answer.Error!;
        if (Text(answer.Value, "download_url") is not { Length: > 0 } url || Text(answer.Value, "hash_value") is not { Length: > 0 } hash)
            return WechatPayErrors.InvalidResponse("The bill answer has no download_url or hash_value.");
        var gateway = O.ResolveGateway();
        if (!url.StartsWith(gateway + "/", StringComparison.Ordinal)) return WechatPayErrors.InvalidResponse("The bill download_url is not on the configured gateway.");

        byte[] file;
        using (var privateKey = RsaKeys.LoadPrivateKey(O.ResolveMerchantPrivateKey()!))
        {
            var path = url[gateway.Length..];
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Authorization", WechatPaySignature.Authorize("GET", path, "", O.MchId, O.MerchantSerialNo, privateKey, clock.GetUtcNow().ToUnixTimeSeconds(), WechatPaySignature.NewNonce()));
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode) return WechatPayErrors.Unavailable($"The bill download answered HTTP {(int)response.StatusCode}.");
                file = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                return WechatPayErrors.Unavailable("The bill download failed: " + ex.Message);
            }
        }

        if (!string.Equals(Convert.ToHexStringLower(SHA1.HashData(file)), hash, StringComparison.OrdinalIgnoreCase))
            return WechatPayErrors.InvalidBill("The bill's SHA1 does not match hash_value.");
        try
        {
            using var gzip = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return WechatPayErrors.InvalidBill("The bill is not gzip.");
        }
    }

    public static long Fen(long microYuan) =>
        microYuan % Money.MicroPerFen == 0 ? microYuan / Money.MicroPerFen : throw new ArgumentException("WeChat Pay amounts are whole fen.", nameof(microYuan));

    /// <summary>RFC 3339 with the +08:00 offset WeChat Pay uses (time_expire, success_time).</summary>
    public static string Time(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private string OrderBody(WechatPayOrderRequest r, object? scene) => JsonSerializer.Serialize(new
    {
        appid = O.AppId,
        mchid = O.MchId,
        description = r.Description,
        out_trade_no = r.OutTradeNo,
        time_expire = Time(r.ExpiresAt),
        notify_url = r.NotifyUrl,
        amount = new { total = Fen(r.AmountMicroYuan), currency = "CNY" },
        scene_info = scene,
    }, Json);

    private async Task<Result<JsonElement>> CallAsync(HttpMethod method, string pathAndQuery, string? body, CancellationToken cancellationToken)
    {
        var sent = await WechatPayHttp.SendAsync(http, O, clock, method, pathAndQuery, body, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        var response = sent.Value!;
        if (response.Status >= 500) return WechatPayErrors.Unavailable($"WeChat Pay answered HTTP {response.Status} to {method} {pathAndQuery.Split('?')[0]}.");
        // Error answers are signed too; an unsigned 401 from a proxy is not believed any more than a forged success.
        var verified = await verifier.VerifyAsync(response.Message, cancellationToken);
        if (!verified.IsSuccess) return verified.Error!;

        JsonElement root = default;
        if (response.Message.Body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(response.Message.Body);
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return WechatPayErrors.InvalidResponse($"HTTP {response.Status} with a body that is not JSON.");
            }
        }

        if (response.Status is >= 200 and < 300) return root;
        var code = root.ValueKind == JsonValueKind.Object ? Text(root, "code") : null;
        return new Error("WechatPay." + (code ?? $"HTTP{response.Status}"), (root.ValueKind == JsonValueKind.Object ? Text(root, "message") : null) ?? $"HTTP {response.Status}");
    }

    internal static Result<WechatPayTransaction> ParseTransaction(JsonElement r)
    {
        if (Text(r, "out_trade_no") is not { } outTradeNo || Text(r, "trade_state") is not { } state)
            return WechatPayErrors.InvalidResponse("The transaction has no out_trade_no or trade_state.");
        long? total = r.TryGetProperty("amount", out var amount) && amount.TryGetProperty("total", out var t) && t.TryGetInt64(out var fen) ? fen : null;
        DateTimeOffset? paidAt = Text(r, "success_time") is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at.ToUniversalTime() : null;
        return new WechatPayTransaction(outTradeNo, Text(r, "transaction_id"), state, Text(r, "trade_type"), total, paidAt, Text(r, "mchid"), Text(r, "appid"));
    }

    internal static Result<WechatPayRefund> ParseRefund(JsonElement r)
    {
        if (Text(r, "out_refund_no") is not { } no || Text(r, "status") is not { } status)
            return WechatPayErrors.InvalidResponse("The refund has no out_refund_no or status.");
        var refund = r.TryGetProperty("amount", out var amount) && amount.TryGetProperty("refund", out var f) && f.TryGetInt64(out var fen) ? fen : 0;
        DateTimeOffset? at = Text(r, "success_time") is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t.ToUniversalTime() : null;
        return new WechatPayRefund(no, Text(r, "refund_id"), Text(r, "out_trade_no") ?? "", status, refund, at);
    }

    internal static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
