using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public partial class AlipayRequestBuilderTests
{
    private static readonly AlipayOptions Options = new()
    {
        Mode = AlipayMode.Sandbox,
        AppId = "2021000000000001",
        PrivateKey = TestKeys.Pkcs8Base64(TestKeys.A),
        AlipayPublicKey = TestKeys.SpkiBase64(TestKeys.B),
    };

    private static Dictionary<string, string> Build(DateTimeOffset utcNow, object biz, string? notifyUrl = null, string? returnUrl = null)
    {
        var builder = new AlipayRequestBuilder(Options, new FakeTimeProvider(utcNow));
        return builder.BuildSignedParameters("alipay.trade.precreate", biz, TestKeys.A, notifyUrl, returnUrl)
            .ToDictionary(p => p.Key, p => p.Value);
    }

    [Theory]
    [InlineData("2024-05-01T04:34:56Z", "2024-05-01 12:34:56")]
    [InlineData("2024-12-31T16:00:00Z", "2025-01-01 00:00:00")] // new year in Beijing, not yet in UTC
    [InlineData("2024-03-31T01:30:00Z", "2024-03-31 09:30:00")] // European DST switch day: irrelevant to GMT+8
    public void Timestamp_is_beijing_time_from_the_time_provider(string utc, string expected) =>
        Assert.Equal(expected, Build(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), new { a = "1" })["timestamp"]);

    [Fact]
    public void Common_parameters_are_present_and_signed()
    {
        var parameters = Build(
            new DateTimeOffset(2024, 5, 1, 4, 34, 56, TimeSpan.Zero),
            new { out_trade_no = "ORD1", total_amount = "1.00", subject = "测试" },
            notifyUrl: "https://shop.example.com/pay/notify");

        Assert.Equal("2021000000000001", parameters["app_id"]);
        Assert.Equal("alipay.trade.precreate", parameters["method"]);
        Assert.Equal("JSON", parameters["format"]);
        Assert.Equal("utf-8", parameters["charset"]);
        Assert.Equal("RSA2", parameters["sign_type"]);
        Assert.Equal("1.0", parameters["version"]);
        Assert.Equal("https://shop.example.com/pay/notify", parameters["notify_url"]);
        Assert.False(parameters.ContainsKey("return_url"));

        var content = AlipaySignature.BuildSignContent(parameters.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
        using var publicA = TestKeys.PublicOnly(TestKeys.A);
        Assert.True(AlipaySignature.Verify(content, parameters["sign"], publicA));
    }

    [Fact]
    public void Biz_content_keeps_chinese_raw_and_omits_nulls()
    {
        var parameters = Build(DateTimeOffset.UnixEpoch, new { subject = "年费 & <VIP>", body = (string?)null });

        Assert.Equal("""{"subject":"年费 & <VIP>"}""", parameters["biz_content"]);
    }

    [Fact]
    public void Same_input_and_clock_give_the_same_signature()
    {
        var at = new DateTimeOffset(2024, 5, 1, 4, 34, 56, TimeSpan.Zero);
        Assert.Equal(Build(at, new { a = "1" })["sign"], Build(at, new { a = "1" })["sign"]);
        Assert.NotEqual(Build(at, new { a = "1" })["sign"], Build(at.AddSeconds(1), new { a = "1" })["sign"]);
    }

    [Fact]
    public void Page_pay_form_posts_every_parameter_attribute_encoded_and_verifiable()
    {
        var client = new AlipayClient(new HttpClient(), Options, new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 4, 0, 0, TimeSpan.Zero)));
        const string subject = "会员 \"年费\" <b>O'Neil</b> & co";

        var html = client.PagePayForm(new AlipayPagePayRequest(
            "ORD-1", 12_340_000, subject, "https://shop.example.com/notify", "https://shop.example.com/return?x=1&y=2"));

        Assert.Contains("action=\"https://openapi-sandbox.dl.alipaydev.com/gateway.do?charset=utf-8\"", html);
        Assert.DoesNotContain("<b>", html);
        Assert.DoesNotContain("O'Neil", html);
        // Submitted by the portal's script file, never by inline script (the Content Security Policy forbids it).
        Assert.Contains("<form id=\"alipay-submit\"", html);
        Assert.Contains("<script src=\"/assets/js/alipay-submit.js\"></script>", html);
        Assert.DoesNotContain("<script>", html);

        // What a browser would post: attribute values decoded.
        var fields = InputPattern().Matches(html)
            .Select(m => new KeyValuePair<string, string?>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .ToList();
        var request = AlipayGatewayRequest.Parse(fields);
        Assert.True(request.IsSuccess, request.Error?.Message);
        using var publicA = TestKeys.PublicOnly(TestKeys.A);
        Assert.True(request.Value.VerifySignature(publicA));
        Assert.Equal("alipay.trade.page.pay", request.Value.Method);
        Assert.Equal("https://shop.example.com/return?x=1&y=2", request.Value.ReturnUrl);
        Assert.Equal(
            """{"out_trade_no":"ORD-1","total_amount":"12.34","subject":"会员 \"年费\" <b>O'Neil</b> & co","product_code":"FAST_INSTANT_TRADE_PAY"}""",
            request.Value.BizContent);
    }

    [Fact]
    public void Page_pay_refuses_amounts_that_are_not_whole_fen()
    {
        var client = new AlipayClient(new HttpClient(), Options, TimeProvider.System);
        Assert.Throws<ArgumentException>(() => client.PagePayForm(new AlipayPagePayRequest("ORD-1", 12_345, "x", null, null)));
    }

    [GeneratedRegex("""<input type="hidden" name="([^"]*)" value="([^"]*)">""")]
    private static partial Regex InputPattern();
}
