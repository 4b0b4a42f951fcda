using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

/// <summary>Key B plays Alipay here: it signs responses, the client verifies with B's public half.</summary>
public class AlipayResponseVerifierTests
{
    private const string Method = "alipay.trade.query";

    private static string Signed(string nodeJson, string node = "alipay_trade_query_response") =>
        $$"""{"{{node}}":{{nodeJson}},"sign":"{{AlipaySignature.Sign(nodeJson, TestKeys.B)}}"}""";

    private static Result<AlipayResponse> Verify(string body)
    {
        using var alipayPublic = TestKeys.PublicOnly(TestKeys.B);
        return AlipayResponseVerifier.Verify(body, Method, alipayPublic);
    }

    [Fact]
    public void Signed_text_is_verified_exactly_as_received_with_whitespace_and_unicode_escapes()
    {
        // Re-serialising this would drop the spaces and unescape \u6d4b, breaking the signature.
        const string node = """{ "code": "10000", "msg": "Success", "subject": "\u6d4b\u8bd5", "total_amount": "1.00" }""";

        var result = Verify(Signed(node));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(node, result.Value.RawJson);
        Assert.Equal("测试", result.Value.GetString("subject"));
    }

    [Fact]
    public void Sign_may_come_before_the_response_node()
    {
        const string node = """{"code":"10000","msg":"Success"}""";
        var body = $$"""{"sign":"{{AlipaySignature.Sign(node, TestKeys.B)}}","alipay_trade_query_response":{{node}}}""";

        Assert.True(Verify(body).IsSuccess);
    }

    [Fact]
    public void Tampered_field_is_rejected()
    {
        var body = Signed("""{"code":"10000","msg":"Success","total_amount":"1.00"}""").Replace("1.00", "0.01");

        var result = Verify(body);

        Assert.False(result.IsSuccess);
        Assert.Equal(AlipayErrors.InvalidSignatureCode, result.Error.Code);
    }

    [Fact]
    public void Signature_by_another_key_is_rejected()
    {
        const string node = """{"code":"10000","msg":"Success"}""";
        var body = $$"""{"alipay_trade_query_response":{{node}},"sign":"{{AlipaySignature.Sign(node, TestKeys.A)}}"}""";

        Assert.Equal(AlipayErrors.InvalidSignatureCode, Verify(body).Error?.Code);
    }

    [Fact]
    public void Duplicate_response_node_is_rejected_even_when_the_first_copy_is_validly_signed()
    {
        var genuine = Signed("""{"code":"10000","msg":"Success","trade_status":"WAIT_BUYER_PAY"}""");
        var attack = genuine.TrimEnd('}') + ""","alipay_trade_query_response":{"code":"10000","trade_status":"TRADE_SUCCESS"}}""";

        var result = Verify(attack);

        Assert.False(result.IsSuccess);
        Assert.Equal(AlipayErrors.InvalidResponseCode, result.Error.Code);
    }

    [Fact]
    public void Duplicate_node_spelled_with_an_escape_is_still_a_duplicate()
    {
        var genuine = Signed("""{"code":"10000","msg":"Success"}""");
        var attack = genuine.TrimEnd('}') + ""","alipay_trade_query_respons\u0065":{"code":"10000"}}""";

        Assert.Equal(AlipayErrors.InvalidResponseCode, Verify(attack).Error?.Code);
    }

    [Fact]
    public void Repeated_sign_is_rejected()
    {
        var genuine = Signed("""{"code":"10000","msg":"Success"}""");

        Assert.Equal(AlipayErrors.InvalidResponseCode, Verify(genuine.TrimEnd('}') + ""","sign":"AAAA"}""").Error?.Code);
    }

    [Fact]
    public void Escaped_slashes_are_retried_unescaped()
    {
        // Signed over plain '/', transmitted as '\/' (what the official SDKs' retry is for).
        const string signedText = """{"code":"10000","msg":"Success","qr_code":"https://qr.alipay.com/bax01"}""";
        var sign = AlipaySignature.Sign(signedText, TestKeys.B);
        var body = $$"""{"alipay_trade_query_response":{{signedText.Replace("/", "\\/")}},"sign":"{{sign}}"}""";

        var result = Verify(body);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("https://qr.alipay.com/bax01", result.Value.GetString("qr_code"));
    }

    [Fact]
    public void Escaped_slashes_signed_as_escaped_verify_directly()
    {
        const string node = """{"code":"10000","msg":"Success","qr_code":"https:\/\/qr.alipay.com\/bax01"}""";

        Assert.True(Verify(Signed(node)).IsSuccess);
    }

    [Fact]
    public void Signed_error_response_node_is_verified_and_returned_with_its_codes()
    {
        const string node = """{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}""";

        var result = Verify(Signed(node, "error_response"));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("error_response", result.Value.NodeName);
        Assert.False(result.Value.IsSuccessCode);
        Assert.Equal(new Error("Alipay.isv.invalid-app-id", "无效的AppID参数"), result.Value.ToError());
    }

    [Fact]
    public void Unsigned_error_response_is_a_failure_never_data()
    {
        var result = Verify("""{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}""");

        Assert.False(result.IsSuccess);
        Assert.Equal(AlipayErrors.UnsignedResponseCode, result.Error.Code);
        Assert.Contains("isv.invalid-app-id", result.Error.Message);
    }

    [Fact]
    public void Unsigned_success_is_rejected() =>
        Assert.Equal(
            AlipayErrors.InvalidSignatureCode,
            Verify("""{"alipay_trade_query_response":{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS"}}""").Error?.Code);

    [Fact]
    public void Signed_business_failure_is_returned_for_the_caller_to_map()
    {
        var result = Verify(Signed("""{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"""));

        Assert.True(result.IsSuccess);
        Assert.Equal(new Error("Alipay.ACQ.TRADE_NOT_EXIST", "交易不存在"), result.Value.ToError());
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("""{"alipay_trade_query_response":{"code":"10000"}""")] // truncated
    [InlineData("""{"alipay_trade_query_response":"10000","sign":"AAAA"}""")]
    [InlineData("""{"alipay_trade_close_response":{"code":"10000"},"sign":"AAAA"}""")] // another method's node
    [InlineData("""{"alipay_trade_query_response":{"code":"10000"},"sign":"AAAA"} trailing""")]
    [InlineData("""[{"alipay_trade_query_response":{"code":"10000"}}]""")]
    public void Malformed_bodies_are_invalid_responses(string body) =>
        Assert.Equal(AlipayErrors.InvalidResponseCode, Verify(body).Error?.Code);

    [Fact]
    public void Node_name_replaces_every_dot() =>
        Assert.Equal(
            "alipay_data_dataservice_bill_downloadurl_query_response",
            AlipayResponseEnvelope.NodeNameFor("alipay.data.dataservice.bill.downloadurl.query"));
}
