using Microsoft.Extensions.Options;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipayReturnAndValidationTests
{
    private static AlipayOptions Options(string? sellerId = "2088000000000009") => new()
    {
        Mode = AlipayMode.Sandbox,
        AppId = "2021000000000001",
        SellerId = sellerId,
        PrivateKey = TestKeys.Pkcs8Pem(TestKeys.A),
        AlipayPublicKey = TestKeys.SpkiBase64(TestKeys.B),
    };

    private static List<KeyValuePair<string, string?>> SignedReturn(string appId = "2021000000000001", string sellerId = "2088000000000009") =>
        AlipayNotifyBuilder.BuildSignedFields(
        [
            new("charset", "utf-8"), new("out_trade_no", "TU20261128120000ABCDEFGHJK"), new("method", "alipay.trade.page.pay.return"),
            new("total_amount", "100.00"), new("trade_no", "2026112822001400000000000001"), new("app_id", appId),
            new("seller_id", sellerId), new("timestamp", "2026-11-28 12:00:05"), new("version", "1.0"),
        ], TestKeys.B).Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)).ToList();

    [Fact]
    public void A_return_signed_by_alipay_for_this_app_names_its_order()
    {
        Assert.Equal("TU20261128120000ABCDEFGHJK", AlipayReturn.VerifiedOrderNo(SignedReturn(), Options()));
        Assert.Equal("TU20261128120000ABCDEFGHJK", AlipayReturn.VerifiedOrderNo(SignedReturn(), Options(sellerId: null)));
    }

    [Fact]
    public void A_tampered_foreign_or_unsigned_return_names_nothing()
    {
        var tampered = SignedReturn().Select(p => p.Key == "total_amount" ? new KeyValuePair<string, string?>(p.Key, "0.01") : p).ToList();
        Assert.Null(AlipayReturn.VerifiedOrderNo(tampered, Options()));
        Assert.Null(AlipayReturn.VerifiedOrderNo(SignedReturn(appId: "2021999999999999"), Options()));
        Assert.Null(AlipayReturn.VerifiedOrderNo(SignedReturn(sellerId: "2088111111111111"), Options()));
        Assert.Null(AlipayReturn.VerifiedOrderNo(SignedReturn().Where(p => p.Key != "sign").ToList(), Options()));
        Assert.Null(AlipayReturn.VerifiedOrderNo([new("out_trade_no", "TU1")], Options()));
    }

    [Fact]
    public void Startup_validation_names_every_missing_key_of_a_real_gateway()
    {
        var validator = new AlipayOptionsValidator();
        var result = validator.Validate(null, new AlipayOptions { Mode = AlipayMode.Production, AppId = "2021" });
        Assert.True(result.Failed);
        Assert.Contains("Alipay:PrivateKey must be set when Alipay:Mode is Production.", result.Failures!);
        Assert.Contains("Alipay:AlipayPublicKey must be set when Alipay:Mode is Production.", result.Failures!);
    }

    [Fact]
    public void Startup_validation_refuses_keys_that_do_not_load_and_plain_http_gateways()
    {
        var validator = new AlipayOptionsValidator();
        var broken = Options();
        broken.PrivateKey = "not a key";
        Assert.Contains(validator.Validate(null, broken).Failures!, f => f.StartsWith("Alipay:PrivateKey is not usable", StringComparison.Ordinal));
        var http = Options();
        http.Gateway = "http://openapi.alipay.com/gateway.do";
        Assert.Contains("Alipay:Gateway must be an absolute https URL.", validator.Validate(null, http).Failures!);
        Assert.True(validator.Validate(null, Options()).Succeeded);
    }
}
