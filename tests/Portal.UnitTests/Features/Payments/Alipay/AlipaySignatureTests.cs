using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipaySignatureTests
{
    private static KeyValuePair<string, string?> P(string key, string? value) => new(key, value);

    [Fact]
    public void Sign_content_matches_the_protocol_example()
    {
        var parameters = new[]
        {
            P("version", "1.0"),
            P("timestamp", "2024-05-01 12:34:56"),
            P("sign_type", "RSA2"),
            P("sign", "must-not-appear"),
            P("notify_url", "https://shop.example.com/pay/notify"),
            P("method", "alipay.trade.page.pay"),
            P("format", "JSON"),
            P("charset", "utf-8"),
            P("biz_content", """{"out_trade_no":"ORD1","total_amount":"1.00","subject":"x","product_code":"FAST_INSTANT_TRADE_PAY"}"""),
            P("app_id", "2021000000000001"),
        };

        Assert.Equal(
            """app_id=2021000000000001&biz_content={"out_trade_no":"ORD1","total_amount":"1.00","subject":"x","product_code":"FAST_INSTANT_TRADE_PAY"}&charset=utf-8&format=JSON&method=alipay.trade.page.pay&notify_url=https://shop.example.com/pay/notify&sign_type=RSA2&timestamp=2024-05-01 12:34:56&version=1.0""",
            AlipaySignature.BuildSignContent(parameters));
    }

    [Fact]
    public void Keys_sort_ordinally_so_upper_case_and_underscore_come_before_lower_case()
    {
        var content = AlipaySignature.BuildSignContent(
            [P("b", "1"), P("a_b", "2"), P("A", "3"), P("_x", "4"), P("a", "5"), P("B", "6"), P("aB", "7")]);

        // A culture-aware sort would interleave A/a and put _x first.
        Assert.Equal("A=3&B=6&_x=4&a=5&aB=7&a_b=2&b=1", content);
    }

    [Fact]
    public void Values_are_raw_even_with_chinese_ampersand_and_equals()
    {
        var content = AlipaySignature.BuildSignContent(
            [P("subject", "测试商品&套餐=A 100%"), P("app_id", "2021"), P("biz", """{"k":"v+w"}""")]);

        Assert.Equal("""app_id=2021&biz={"k":"v+w"}&subject=测试商品&套餐=A 100%""", content);
    }

    [Fact]
    public void Empty_and_null_values_and_sign_are_dropped_but_sign_type_is_kept()
    {
        var content = AlipaySignature.BuildSignContent(
            [P("sign", "abc"), P("sign_type", "RSA2"), P("empty", ""), P("nothing", null), P("z", " ")]);

        // A space is a value: no trimming.
        Assert.Equal("sign_type=RSA2&z= ", content);
    }

    [Fact]
    public void Duplicate_request_keys_are_a_bug() =>
        Assert.Throws<ArgumentException>(() => AlipaySignature.BuildSignContent([P("a", "1"), P("a", "2")]));

    [Fact]
    public void Signatures_are_deterministic_base64_of_2048_bits()
    {
        const string content = "app_id=1&subject=测试";
        var first = AlipaySignature.Sign(content, TestKeys.A);
        var second = AlipaySignature.Sign(content, TestKeys.A);

        Assert.Equal(first, second);
        Assert.Equal(344, first.Length);
        Assert.NotEqual(first, AlipaySignature.Sign(content, TestKeys.B));
        Assert.NotEqual(first, AlipaySignature.Sign(content + " ", TestKeys.A));
    }

    [Fact]
    public void Verify_accepts_the_right_key_and_content_only()
    {
        const string content = "app_id=1&subject=测试&total_amount=1.00";
        var sign = AlipaySignature.Sign(content, TestKeys.A);
        using var publicA = TestKeys.PublicOnly(TestKeys.A);
        using var publicB = TestKeys.PublicOnly(TestKeys.B);

        Assert.True(AlipaySignature.Verify(content, sign, publicA));
        Assert.False(AlipaySignature.Verify(content, sign, publicB));
        Assert.False(AlipaySignature.Verify(content.Replace("1.00", "0.01"), sign, publicA));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 !")]
    [InlineData("AAAA")]
    public void Malformed_signatures_are_invalid_not_exceptions(string? sign)
    {
        using var publicA = TestKeys.PublicOnly(TestKeys.A);
        Assert.False(AlipaySignature.Verify("a=1", sign, publicA));
    }

    [Fact]
    public void Notify_v1_content_drops_sign_and_sign_type_and_keeps_values_undecoded()
    {
        var content = AlipaySignature.BuildNotifyContentV1(
            [P("sign", "s"), P("sign_type", "RSA2"), P("subject", "a%2Bb+c"), P("body", ""), P("app_id", "1")]);

        // Empty values stay as "k=" (Java rsaCheckV1); %2B and + stay literal: the form was decoded once already.
        Assert.Equal("app_id=1&body=&subject=a%2Bb+c", content);
    }

    [Fact]
    public void Notify_v2_content_keeps_sign_type() =>
        Assert.Equal(
            "app_id=1&sign_type=RSA2",
            AlipaySignature.BuildNotifyContentV2([P("sign", "s"), P("sign_type", "RSA2"), P("app_id", "1")]));

    [Fact]
    public void Notify_with_a_repeated_field_is_invalid()
    {
        var fields = AlipayNotifyBuilder.BuildSignedFields([P("app_id", "1"), P("total_amount", "1.00")], TestKeys.A)
            .Select(f => P(f.Key, f.Value)).ToList();
        using var publicA = TestKeys.PublicOnly(TestKeys.A);
        Assert.True(AlipaySignature.VerifyNotifyV1(fields, publicA));

        fields.Add(P("total_amount", "1.00"));
        Assert.False(AlipaySignature.VerifyNotifyV1(fields, publicA));
    }

    [Fact]
    public void Notify_with_legacy_rsa_sign_type_is_invalid()
    {
        var fields = AlipayNotifyBuilder.BuildSignedFields([P("app_id", "1")], TestKeys.A)
            .Select(f => f.Key == "sign_type" ? P(f.Key, "RSA") : P(f.Key, f.Value)).ToList();
        using var publicA = TestKeys.PublicOnly(TestKeys.A);

        // V1 does not sign sign_type, so only an explicit check stops a downgrade to SHA1 semantics.
        Assert.False(AlipaySignature.VerifyNotifyV1(fields, publicA));
    }
}
