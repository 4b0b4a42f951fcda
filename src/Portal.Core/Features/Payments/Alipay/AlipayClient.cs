using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Alipay OpenAPI v2 client (public-key mode, RSA2). Every server call is a signed form POST to the gateway whose
/// response is verified with the Alipay public key before anything in it is believed. Failures come back as
/// <see cref="Result{T}"/>: Alipay's business errors as <c>Alipay.{sub_code or code}</c>, transport trouble as
/// <see cref="AlipayErrors.UnavailableCode"/> (outcome unknown: query before retrying anything that moves money).
/// </summary>
public sealed class AlipayClient
{
    /// <summary>PC web payment.</summary>
    public const string PagePayMethod = "alipay.trade.page.pay";

    /// <summary>QR-code payment.</summary>
    public const string PrecreateMethod = "alipay.trade.precreate";

    /// <summary>Trade query.</summary>
    public const string QueryMethod = "alipay.trade.query";

    /// <summary>Close an unpaid trade.</summary>
    public const string CloseMethod = "alipay.trade.close";

    /// <summary>Refund.</summary>
    public const string RefundMethod = "alipay.trade.refund";

    /// <summary>Bill download URL.</summary>
    public const string BillDownloadUrlMethod = "alipay.data.dataservice.bill.downloadurl.query";

    private readonly HttpClient _http;
    private readonly AlipayOptions _options;
    private readonly AlipayRequestBuilder _builder;

    /// <summary>Creates a client. The HttpClient's timeout bounds every call; a timeout becomes Alipay.Unavailable.</summary>
    public AlipayClient(HttpClient http, AlipayOptions options, TimeProvider timeProvider)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _builder = new AlipayRequestBuilder(options, timeProvider);
    }

    /// <summary>
    /// The auto-submitting HTML form that sends the buyer to the cashier. Page pay has no server-side call:
    /// the trade only exists once the buyer opens the cashier, and the outcome arrives by notification or query.
    /// </summary>
    public string PagePayForm(AlipayPagePayRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var biz = new PagePayBiz(
            request.OutTradeNo,
            AlipayAmount.Format(request.TotalAmountMicroYuan),
            request.Subject,
            "FAST_INSTANT_TRADE_PAY",
            request.ExpiresAt is { } expiresAt ? AlipayTime.Format(expiresAt) : null);
        using var privateKey = RsaKeys.LoadPrivateKey(_options.PrivateKey);
        var parameters = _builder.BuildSignedParameters(PagePayMethod, biz, privateKey, request.NotifyUrl, request.ReturnUrl);
        return AlipayPagePayForm.Render(_options.ResolveGateway(), parameters);
    }

    /// <summary>Creates a QR-code trade (alipay.trade.precreate) and returns the code to render.</summary>
    public async Task<Result<AlipayPrecreateResult>> PrecreateAsync(AlipayPrecreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var biz = new PrecreateBiz(
            request.OutTradeNo,
            AlipayAmount.Format(request.TotalAmountMicroYuan),
            request.Subject,
            request.ExpiresAt is { } expiresAt ? AlipayTime.Format(expiresAt) : null);
        var response = await ExecuteAsync(PrecreateMethod, biz, request.NotifyUrl, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return response.Error;
        }

        return response.Value.GetString("qr_code") is { Length: > 0 } qrCode
            ? new AlipayPrecreateResult(response.Value.GetString("out_trade_no") ?? request.OutTradeNo, qrCode)
            : AlipayErrors.InvalidResponse("The precreate response has no qr_code.");
    }

    /// <summary>
    /// Queries a trade by merchant order number. <c>Alipay.ACQ.TRADE_NOT_EXIST</c> is normal until the buyer
    /// opens the cashier or scans the code.
    /// </summary>
    public async Task<Result<AlipayTradeQueryResult>> QueryAsync(string outTradeNo, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outTradeNo);
        var response = await ExecuteAsync(QueryMethod, new TradeBiz(outTradeNo), null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return response.Error;
        }

        var r = response.Value;
        if (r.GetString("trade_no") is not { Length: > 0 } tradeNo)
        {
            return AlipayErrors.InvalidResponse("The query response has no trade_no.");
        }

        if (!AlipayTradeStatuses.TryParse(r.GetString("trade_status"), out var status))
        {
            return AlipayErrors.InvalidResponse($"Unknown trade_status '{r.GetString("trade_status")}'.");
        }

        if (!AlipayAmount.TryParse(r.GetString("total_amount"), out var total)
            || !TryParseOptionalAmount(r.GetString("buyer_pay_amount"), out var buyerPay)
            || !TryParseOptionalAmount(r.GetString("receipt_amount"), out var receipt))
        {
            return AlipayErrors.InvalidResponse("The query response has a malformed amount.");
        }

        return new AlipayTradeQueryResult(
            tradeNo,
            r.GetString("out_trade_no") ?? outTradeNo,
            status,
            total,
            buyerPay,
            receipt,
            r.GetString("buyer_logon_id"),
            r.GetString("buyer_user_id") ?? r.GetString("buyer_open_id"),
            ParseOptionalTime(r.GetString("send_pay_date")));
    }

    /// <summary>Closes an unpaid (WAIT_BUYER_PAY) trade.</summary>
    public async Task<Result<AlipayCloseResult>> CloseAsync(string outTradeNo, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outTradeNo);
        var response = await ExecuteAsync(CloseMethod, new TradeBiz(outTradeNo), null, cancellationToken).ConfigureAwait(false);
        return response.IsSuccess
            ? new AlipayCloseResult(response.Value.GetString("out_trade_no") ?? outTradeNo, response.Value.GetString("trade_no"))
            : response.Error;
    }

    /// <summary>
    /// Refunds part or all of a paid trade. On any failure, including Alipay.Unavailable, retry with the same
    /// <see cref="AlipayRefundRequest.OutRequestNo"/>: Alipay refunds once per request number, and
    /// <see cref="AlipayRefundResult.FundChange"/> tells whether this particular call moved money.
    /// </summary>
    public async Task<Result<AlipayRefundResult>> RefundAsync(AlipayRefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.OutRequestNo);
        var biz = new RefundBiz(request.OutTradeNo, AlipayAmount.Format(request.RefundAmountMicroYuan), request.OutRequestNo, request.Reason);
        var response = await ExecuteAsync(RefundMethod, biz, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return response.Error;
        }

        var r = response.Value;
        if (!AlipayAmount.TryParse(r.GetString("refund_fee"), out var refundFee))
        {
            return AlipayErrors.InvalidResponse("The refund response has no valid refund_fee.");
        }

        return new AlipayRefundResult(
            r.GetString("trade_no") ?? "",
            r.GetString("out_trade_no") ?? request.OutTradeNo,
            r.GetString("fund_change") == "Y",
            refundFee,
            ParseOptionalTime(r.GetString("gmt_refund_pay")));
    }

    /// <summary>
    /// Asks for the trade bill of one business day (available T+1, usually by 09:00 GMT+8). The URL expires
    /// after about 30 seconds, so call <see cref="DownloadBillAsync"/> right away.
    /// </summary>
    public async Task<Result<AlipayBillDownloadUrl>> GetBillDownloadUrlAsync(DateOnly billDate, CancellationToken cancellationToken = default)
    {
        var biz = new BillBiz("trade", billDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var response = await ExecuteAsync(BillDownloadUrlMethod, biz, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return response.Error;
        }

        return response.Value.GetString("bill_download_url") is { Length: > 0 } url
            ? new AlipayBillDownloadUrl(url, response.Value.GetString("bill_file_code"))
            : AlipayErrors.InvalidResponse("The bill response has no bill_download_url.");
    }

    /// <summary>Downloads the bill ZIP (a plain, unsigned GET) and parses the detail rows.</summary>
    public async Task<Result<IReadOnlyList<AlipayBillRow>>> DownloadBillAsync(string url, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        byte[] zip;
        try
        {
            using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return AlipayErrors.Unavailable($"The bill download answered HTTP {(int)response.StatusCode}.");
            }

            zip = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return AlipayErrors.Unavailable($"The bill download failed: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AlipayErrors.Unavailable("The bill download timed out.");
        }

        using var stream = new MemoryStream(zip, writable: false);
        return AlipayBillParser.ParseZip(stream);
    }

    private async Task<Result<AlipayResponse>> ExecuteAsync(string method, object biz, string? notifyUrl, CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyValuePair<string, string>> parameters;
        using (var privateKey = RsaKeys.LoadPrivateKey(_options.PrivateKey))
        {
            parameters = _builder.BuildSignedParameters(method, biz, privateKey, notifyUrl);
        }

        var gateway = _options.ResolveGateway();
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway + (gateway.Contains('?') ? "&" : "?") + "charset=utf-8")
        {
            Content = FormContent(parameters),
        };

        string body;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return AlipayErrors.Unavailable($"The Alipay gateway answered HTTP {(int)response.StatusCode} to {method}.");
            }

            // The gateway always answers UTF-8, whatever its Content-Type header claims.
            body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HttpRequestException ex)
        {
            return AlipayErrors.Unavailable($"The Alipay gateway could not be reached for {method}: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout surfaces as a cancellation the caller did not ask for.
            return AlipayErrors.Unavailable($"The Alipay gateway timed out on {method}.");
        }

        Result<AlipayResponse> verified;
        using (var alipayPublicKey = RsaKeys.LoadPublicKey(_options.AlipayPublicKey))
        {
            verified = AlipayResponseVerifier.Verify(body, method, alipayPublicKey);
        }

        if (!verified.IsSuccess)
        {
            return verified.Error;
        }

        return verified.Value.IsSuccessCode ? verified : verified.Value.ToError();
    }

    // Built by hand rather than FormUrlEncodedContent so the Content-Type carries charset=utf-8 as the gateway expects.
    private static StringContent FormContent(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var body = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        return content;
    }

    private static bool TryParseOptionalAmount(string? text, out long? microYuan)
    {
        microYuan = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!AlipayAmount.TryParse(text, out var value))
        {
            return false;
        }

        microYuan = value;
        return true;
    }

    private static DateTimeOffset? ParseOptionalTime(string? text) =>
        AlipayTime.TryParse(text, out var instant) ? instant : null;

    private sealed record PagePayBiz(string OutTradeNo, string TotalAmount, string Subject, string ProductCode, string? TimeExpire);

    private sealed record PrecreateBiz(string OutTradeNo, string TotalAmount, string Subject, string? TimeExpire);

    private sealed record TradeBiz(string OutTradeNo);

    private sealed record RefundBiz(string OutTradeNo, string RefundAmount, string OutRequestNo, string? RefundReason);

    private sealed record BillBiz(string BillType, string BillDate);
}
