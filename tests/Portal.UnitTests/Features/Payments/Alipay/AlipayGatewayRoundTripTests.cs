using Microsoft.Extensions.Time.Testing;
using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

/// <summary>The simulator's server side against the client side: each must accept exactly what the other signs.</summary>
public class AlipayGatewayRoundTripTests
{
    private static List<KeyValuePair<string, string?>> SignedRequestFields(System.Security.Cryptography.RSA merchantKey)
    {
        var builder = new AlipayRequestBuilder(
            new AlipayOptions { AppId = "2021000000000001" }, new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero)));
        return builder
            .BuildSignedParameters("alipay.trade.query", new { out_trade_no = "ORD-1", subject = "测试&=" }, merchantKey, "https://shop.example/n")
            .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))
            .ToList();
    }

    [Fact]
    public void Request_signed_with_key_a_verifies_with_public_a_and_not_with_public_b()
    {
        var request = AlipayGatewayRequest.Parse(SignedRequestFields(TestKeys.A));
        using var publicA = TestKeys.PublicOnly(TestKeys.A);
        using var publicB = TestKeys.PublicOnly(TestKeys.B);

        Assert.True(request.IsSuccess, request.Error?.Message);
        Assert.True(request.Value.VerifySignature(publicA));
        Assert.False(request.Value.VerifySignature(publicB));
        Assert.Equal("2021000000000001", request.Value.AppId);
        Assert.Equal("2024-05-01 08:00:00", request.Value.Timestamp);
    }

    [Fact]
    public void Request_with_a_tampered_parameter_fails_verification()
    {
        var fields = SignedRequestFields(TestKeys.A)
            .Select(f => f.Key == "biz_content" ? new KeyValuePair<string, string?>(f.Key, f.Value!.Replace("ORD-1", "ORD-2")) : f);
        var request = AlipayGatewayRequest.Parse(fields);
        using var publicA = TestKeys.PublicOnly(TestKeys.A);

        Assert.False(request.Value!.VerifySignature(publicA));
    }

    [Theory]
    [InlineData("sign", "isv.missing-signature")]
    [InlineData("app_id", "isv.missing-app-id")]
    [InlineData("method", "isv.missing-method")]
    [InlineData("timestamp", "isv.missing-timestamp")]
    public void Missing_common_parameter_is_reported_with_alipays_sub_code(string dropped, string subCode) =>
        Assert.Equal(subCode, AlipayGatewayRequest.Parse(SignedRequestFields(TestKeys.A).Where(f => f.Key != dropped)).Error?.Code);

    [Fact]
    public void Legacy_rsa_sign_type_and_bad_timestamp_are_refused()
    {
        var rsa1 = SignedRequestFields(TestKeys.A).Select(f => f.Key == "sign_type" ? new KeyValuePair<string, string?>(f.Key, "RSA") : f);
        var badTime = SignedRequestFields(TestKeys.A).Select(f => f.Key == "timestamp" ? new KeyValuePair<string, string?>(f.Key, "2024/05/01") : f);

        Assert.Equal("isv.invalid-signature-type", AlipayGatewayRequest.Parse(rsa1).Error?.Code);
        Assert.Equal("isv.invalid-timestamp", AlipayGatewayRequest.Parse(badTime).Error?.Code);
    }

    [Fact]
    public void Repeated_parameter_is_refused()
    {
        var fields = SignedRequestFields(TestKeys.A);
        fields.Add(new("method", "alipay.trade.refund"));

        Assert.Equal("isv.invalid-parameter", AlipayGatewayRequest.Parse(fields).Error?.Code);
    }

    [Fact]
    public void Invalid_signature_answer_has_alipays_shape_and_verifies_in_the_client()
    {
        var request = AlipayGatewayRequest.Parse(SignedRequestFields(TestKeys.B)).Value!;

        var body = AlipayGatewayResponse.BuildSignedFailureBody(request.Method, request.InvalidSignatureError(), TestKeys.B);

        Assert.StartsWith("""{"alipay_trade_query_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错""", body);
        using var alipayPublic = TestKeys.PublicOnly(TestKeys.B);
        var verified = AlipayResponseVerifier.Verify(body, request.Method, alipayPublic);
        Assert.True(verified.IsSuccess, verified.Error?.Message);
        Assert.Equal("Alipay.isv.invalid-signature", verified.Value.ToError().Code);
        Assert.Contains(request.SignContent, verified.Value.ToError().Message);
    }

    [Theory]
    [InlineData("isv.missing-app-id", "40001")]
    [InlineData("isv.invalid-app-id", "40002")]
    [InlineData("ACQ.TRADE_NOT_EXIST", "40004")]
    public void Failure_codes_follow_the_sub_code_family(string subCode, string code)
    {
        var body = AlipayGatewayResponse.BuildSignedFailureBody("alipay.trade.query", new Error(subCode, "m"), TestKeys.B);
        using var alipayPublic = TestKeys.PublicOnly(TestKeys.B);

        Assert.Equal(code, AlipayResponseVerifier.Verify(body, "alipay.trade.query", alipayPublic).Value?.Code);
    }

    [Fact]
    public void Simulator_signed_response_verifies_in_the_client_and_only_with_the_right_key()
    {
        var body = AlipayGatewayResponse.BuildSignedBody(
            "alipay.trade.query",
            new { code = "10000", msg = "Success", subject = "会员&年费", total_amount = "1.00" },
            TestKeys.B);
        using var publicA = TestKeys.PublicOnly(TestKeys.A);
        using var publicB = TestKeys.PublicOnly(TestKeys.B);

        Assert.StartsWith("""{"alipay_trade_query_response":{"code":"10000","msg":"Success","subject":"会员&年费","total_amount":"1.00"},"sign":""", body);
        Assert.True(AlipayResponseVerifier.Verify(body, "alipay.trade.query", publicB).IsSuccess);
        Assert.Equal(AlipayErrors.InvalidSignatureCode, AlipayResponseVerifier.Verify(body, "alipay.trade.query", publicA).Error?.Code);
    }

    [Fact]
    public void Simulator_notification_verifies_with_v1_and_tampering_is_detected()
    {
        var fields = AlipayNotifyBuilder.BuildSignedFields(
            [
                new("notify_id", "N1"), new("notify_type", "trade_status_sync"), new("app_id", "2021000000000001"),
                new("out_trade_no", "ORD-1"), new("trade_no", "T1"), new("trade_status", "TRADE_SUCCESS"),
                new("total_amount", "88.00"), new("subject", "年费 a%2Bb"), new("body", ""),
            ],
            TestKeys.B)
            .Select(f => new KeyValuePair<string, string?>(f.Key, f.Value))
            .ToList();
        using var alipayPublic = TestKeys.PublicOnly(TestKeys.B);

        Assert.Contains(fields, f => f.Key == "sign_type" && f.Value == "RSA2");
        Assert.DoesNotContain(fields, f => f.Key == "body");
        Assert.True(AlipaySignature.VerifyNotifyV1(fields, alipayPublic));
        var tampered = fields.Select(f => f.Key == "total_amount" ? new KeyValuePair<string, string?>(f.Key, "0.01") : f);
        Assert.False(AlipaySignature.VerifyNotifyV1(tampered, alipayPublic));
    }
}
