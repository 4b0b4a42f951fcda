using System.Net;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipayClientTests
{
    private const string Gateway = "http://simulator.test/alipay/gateway.do";

    private readonly FakeAlipayGateway _gateway = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 5, 1, 4, 34, 56, TimeSpan.Zero));

    private AlipayClient Client(string? privateKey = null, string? alipayPublicKey = null) =>
        new(
            new HttpClient(_gateway),
            new AlipayOptions
            {
                Mode = AlipayMode.Simulator,
                Gateway = Gateway,
                AppId = "2021000000000001",
                PrivateKey = privateKey ?? TestKeys.Pkcs1Pem(TestKeys.A),
                AlipayPublicKey = alipayPublicKey ?? TestKeys.SpkiPem(TestKeys.B),
            },
            _time);

    [Fact]
    public async Task Precreate_posts_a_signed_utf8_form_to_the_gateway_and_returns_the_qr_code()
    {
        _gateway.Answer = (method, biz) => new
        {
            code = "10000",
            msg = "Success",
            out_trade_no = biz.GetProperty("out_trade_no").GetString(),
            qr_code = "https://qr.alipay.com/bax08431",
        };

        var result = await Client().PrecreateAsync(new AlipayPrecreateRequest("ORD-7", 88_000_000, "年费 & 服务=1", "https://shop.example/notify"));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(new AlipayPrecreateResult("ORD-7", "https://qr.alipay.com/bax08431"), result.Value);
        var request = Assert.Single(_gateway.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(Gateway + "?charset=utf-8", request.RequestUri!.ToString());
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Content!.Headers.ContentType!.ToString());
        Assert.Equal("alipay.trade.precreate", _gateway.LastRequest!.Method);
        Assert.Equal("2024-05-01 12:34:56", _gateway.LastRequest.Timestamp);
        Assert.Equal("https://shop.example/notify", _gateway.LastRequest.NotifyUrl);
        Assert.Equal("""{"out_trade_no":"ORD-7","total_amount":"88.00","subject":"年费 & 服务=1"}""", _gateway.LastRequest.BizContent);
    }

    [Fact]
    public async Task Query_maps_status_amounts_and_payment_time()
    {
        _gateway.Answer = (_, _) => new
        {
            code = "10000",
            msg = "Success",
            trade_no = "2024050122001400000000000001",
            out_trade_no = "ORD-7",
            trade_status = "TRADE_SUCCESS",
            total_amount = "88.00",
            buyer_pay_amount = "87.50",
            receipt_amount = "88.00",
            buyer_logon_id = "159****5620",
            buyer_user_id = "2088101117955611",
            send_pay_date = "2024-05-01 12:40:00",
            fund_bill_list = new[] { new { fund_channel = "ALIPAYACCOUNT", amount = "87.50" } },
        };

        var result = await Client().QueryAsync("ORD-7");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(
            new AlipayTradeQueryResult(
                "2024050122001400000000000001", "ORD-7", AlipayTradeStatus.TradeSuccess, 88_000_000, 87_500_000, 88_000_000,
                "159****5620", "2088101117955611", new DateTimeOffset(2024, 5, 1, 4, 40, 0, TimeSpan.Zero)),
            result.Value);
        Assert.True(result.Value.IsPaid);
        Assert.Equal("""{"out_trade_no":"ORD-7"}""", _gateway.LastRequest!.BizContent);
    }

    [Fact]
    public async Task Query_of_a_trade_not_yet_created_is_a_business_failure_with_the_sub_code()
    {
        _gateway.Answer = (_, _) => new
        {
            code = "40004",
            msg = "Business Failed",
            sub_code = "ACQ.TRADE_NOT_EXIST",
            sub_msg = "交易不存在",
        };

        var result = await Client().QueryAsync("ORD-404");

        Assert.Equal(new Error("Alipay.ACQ.TRADE_NOT_EXIST", "交易不存在"), result.Error);
    }

    [Fact]
    public async Task Business_failure_without_sub_code_uses_the_code()
    {
        _gateway.Answer = (_, _) => new { code = "20000", msg = "Service Currently Unavailable" };

        var result = await Client().CloseAsync("ORD-1");

        Assert.Equal(new Error("Alipay.20000", "Service Currently Unavailable"), result.Error);
    }

    [Fact]
    public async Task Query_with_an_unknown_trade_status_is_an_invalid_response()
    {
        _gateway.Answer = (_, _) => new { code = "10000", msg = "Success", trade_no = "1", trade_status = "PAID_MAYBE", total_amount = "1.00" };

        Assert.Equal(AlipayErrors.InvalidResponseCode, (await Client().QueryAsync("ORD-1")).Error?.Code);
    }

    [Fact]
    public async Task Request_signed_with_the_wrong_private_key_is_rejected_by_the_gateway_as_invalid_signature()
    {
        _gateway.Answer = (_, _) => throw new InvalidOperationException("must not be reached");

        var result = await Client(privateKey: TestKeys.Pkcs8Pem(TestKeys.B)).QueryAsync("ORD-1");

        Assert.Equal("Alipay.isv.invalid-signature", result.Error?.Code);
        Assert.Contains("out_trade_no", result.Error!.Message);
    }

    [Fact]
    public async Task Response_signed_by_someone_other_than_alipay_is_rejected()
    {
        _gateway.Answer = (_, _) => new { code = "10000", msg = "Success", trade_no = "1", trade_status = "TRADE_SUCCESS", total_amount = "1.00" };

        // The client expects key A's signature as "Alipay", but the fake gateway signs with B.
        var result = await Client(alipayPublicKey: TestKeys.SpkiBase64(TestKeys.A)).QueryAsync("ORD-1");

        Assert.Equal(AlipayErrors.InvalidSignatureCode, result.Error?.Code);
    }

    [Fact]
    public async Task Close_returns_the_trade_numbers()
    {
        _gateway.Answer = (_, _) => new { code = "10000", msg = "Success", trade_no = "T1", out_trade_no = "ORD-1" };

        var result = await Client().CloseAsync("ORD-1");

        Assert.Equal(new AlipayCloseResult("ORD-1", "T1"), result.Value);
        Assert.Equal("alipay.trade.close", _gateway.LastRequest!.Method);
    }

    [Fact]
    public async Task Refund_sends_the_idempotency_key_and_reports_whether_money_moved()
    {
        _gateway.Answer = (_, biz) => new
        {
            code = "10000",
            msg = "Success",
            trade_no = "T1",
            out_trade_no = biz.GetProperty("out_trade_no").GetString(),
            buyer_logon_id = "159****5620",
            fund_change = "Y",
            refund_fee = "1.50",
            gmt_refund_pay = "2024-05-02 10:00:00",
        };

        var result = await Client().RefundAsync(new AlipayRefundRequest("ORD-1", "ORD-1-R1", 500_000, "部分退款"));

        Assert.Equal(
            new AlipayRefundResult("T1", "ORD-1", true, 1_500_000, new DateTimeOffset(2024, 5, 2, 2, 0, 0, TimeSpan.Zero)),
            result.Value);
        Assert.Equal(
            """{"out_trade_no":"ORD-1","refund_amount":"0.50","out_request_no":"ORD-1-R1","refund_reason":"部分退款"}""",
            _gateway.LastRequest!.BizContent);
    }

    [Fact]
    public async Task Repeated_refund_reports_no_fund_change()
    {
        _gateway.Answer = (_, _) => new { code = "10000", msg = "Success", trade_no = "T1", out_trade_no = "ORD-1", fund_change = "N", refund_fee = "1.50" };

        var result = await Client().RefundAsync(new AlipayRefundRequest("ORD-1", "ORD-1-R1", 500_000));

        Assert.False(result.Value!.FundChange);
        Assert.Null(result.Value.RefundedAt);
    }

    [Fact]
    public async Task Transport_failure_is_unavailable()
    {
        _gateway.Failure = new HttpRequestException("Connection refused");

        Assert.Equal(AlipayErrors.UnavailableCode, (await Client().QueryAsync("ORD-1")).Error?.Code);
    }

    [Fact]
    public async Task Timeout_is_unavailable()
    {
        // What HttpClient throws when its Timeout elapses.
        _gateway.Failure = new TaskCanceledException("timeout", new TimeoutException());

        Assert.Equal(AlipayErrors.UnavailableCode, (await Client().RefundAsync(new AlipayRefundRequest("O", "R", 10_000))).Error?.Code);
    }

    [Fact]
    public async Task Http_error_status_is_unavailable()
    {
        _gateway.Status = HttpStatusCode.BadGateway;

        var result = await Client().QueryAsync("ORD-1");

        Assert.Equal(AlipayErrors.UnavailableCode, result.Error?.Code);
        Assert.Contains("502", result.Error!.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_swallowed()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().QueryAsync("ORD-1", cts.Token));
    }

    [Fact]
    public async Task Bill_url_is_requested_for_trade_bills_of_the_day_and_the_zip_is_parsed()
    {
        var rows = new[]
        {
            new AlipayBillRow(
                "2024050122001400000000000001", "ORD-7", AlipayBillRow.PaymentType, "年费", new DateTimeOffset(2024, 5, 1, 4, 34, 0, TimeSpan.Zero),
                new DateTimeOffset(2024, 5, 1, 4, 35, 0, TimeSpan.Zero), "159****5620", 88_000_000, 88_000_000, null, 530_000, null),
        };
        _gateway.BillZip = AlipayBillWriter.WriteZip("2088102000000001", new DateOnly(2024, 5, 1), rows);
        _gateway.Answer = (_, biz) => new
        {
            code = "10000",
            msg = "Success",
            bill_download_url = "http://dwbillcenter.test/downloadBillFile.resource?bizType=trade&fileType=csv.zip",
        };
        var client = Client();

        var url = await client.GetBillDownloadUrlAsync(new DateOnly(2024, 5, 1));
        var bill = await client.DownloadBillAsync(url.Value!.Url);

        Assert.Equal("""{"bill_type":"trade","bill_date":"2024-05-01"}""", _gateway.LastRequest!.BizContent);
        Assert.True(bill.IsSuccess, bill.Error?.Message);
        Assert.Equal(rows, bill.Value);
        Assert.Equal(HttpMethod.Get, _gateway.Requests[^1].Method);
    }

    [Fact]
    public async Task Bill_not_ready_is_a_business_failure()
    {
        _gateway.Answer = (_, _) => new { code = "40004", msg = "Business Failed", sub_code = "isp.bill_not_exist", sub_msg = "账单不存在" };

        Assert.Equal("Alipay.isp.bill_not_exist", (await Client().GetBillDownloadUrlAsync(new DateOnly(2024, 5, 1))).Error?.Code);
    }

    [Fact]
    public async Task Bill_download_that_is_not_a_zip_is_an_invalid_bill()
    {
        _gateway.BillZip = "<html>expired</html>"u8.ToArray();

        Assert.Equal(AlipayErrors.InvalidBillCode, (await Client().DownloadBillAsync("http://dwbillcenter.test/x")).Error?.Code);
    }

    [Fact]
    public async Task Bill_download_failure_is_unavailable()
    {
        _gateway.Status = HttpStatusCode.NotFound;

        Assert.Equal(AlipayErrors.UnavailableCode, (await Client().DownloadBillAsync("http://dwbillcenter.test/x")).Error?.Code);
    }

    [Fact]
    public async Task Simulator_response_with_escaped_slashes_verifies_through_the_client()
    {
        // Pre-serialised text signed as-is, as Alipay does for its own \/ escaping.
        const string node = """{"code":"10000","msg":"Success","out_trade_no":"ORD-1","qr_code":"https:\/\/qr.alipay.com\/x"}""";
        _gateway.Answer = (_, _) => $$"""{"alipay_trade_precreate_response":{{node}},"sign":"{{AlipaySignature.Sign(node, TestKeys.B)}}"}""";

        var result = await Client().PrecreateAsync(new AlipayPrecreateRequest("ORD-1", 10_000, "x", null));

        Assert.Equal("https://qr.alipay.com/x", result.Value?.QrCode);
    }
}
