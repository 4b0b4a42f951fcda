using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

/// <summary>Signatures made by Alipay's own servers: the only proof that our content rules match theirs.</summary>
public class AlipayKnownAnswerTests
{
    [Theory]
    [MemberData(nameof(KnownAnswerVectors.NotifyNames), MemberType = typeof(KnownAnswerVectors))]
    public void Notify_vectors_verify_exactly_as_expected(string name)
    {
        var vector = KnownAnswerVectors.Notify(name);
        var expectValid = vector.GetProperty("expectValid").GetBoolean();
        var expectV1 = vector.GetProperty("expectV1").GetBoolean();
        var fields = KnownAnswerVectors.Params(vector);
        using var key = RsaKeys.LoadPublicKey(vector.GetProperty("alipayPublicKey").GetString()!);

        var v1 = AlipaySignature.VerifyNotifyV1(fields, key);
        var v2 = AlipaySignature.VerifyNotifyV2(fields, key);

        Assert.Equal(expectValid && expectV1, v1);
        Assert.Equal(expectValid, v1 || v2);
    }

    [Fact]
    public void Trade_notification_signed_with_sign_type_present_fails_under_v2()
    {
        // Proves the V1/V2 distinction is real: the same Alipay message only verifies without sign_type.
        var vector = KnownAnswerVectors.Notify("trade_status_sync TRADE_SUCCESS (with sign_type)");
        using var key = RsaKeys.LoadPublicKey(vector.GetProperty("alipayPublicKey").GetString()!);
        Assert.False(AlipaySignature.VerifyNotifyV2(KnownAnswerVectors.Params(vector), key));
    }

    [Theory]
    [MemberData(nameof(KnownAnswerVectors.NotifyNames), MemberType = typeof(KnownAnswerVectors))]
    public void Notify_vectors_fail_after_any_single_field_is_tampered(string name)
    {
        var vector = KnownAnswerVectors.Notify(name);
        if (!vector.GetProperty("expectValid").GetBoolean())
        {
            return;
        }

        var fields = KnownAnswerVectors.Params(vector);
        using var key = RsaKeys.LoadPublicKey(vector.GetProperty("alipayPublicKey").GetString()!);
        foreach (var target in fields.Where(f => f.Key is not ("sign" or "sign_type")).Select(f => f.Key))
        {
            var tampered = fields.Select(f => f.Key == target ? new KeyValuePair<string, string?>(f.Key, f.Value + "0") : f).ToList();
            Assert.False(AlipaySignature.VerifyNotifyV1(tampered, key), target);
            Assert.False(AlipaySignature.VerifyNotifyV2(tampered, key), target);
        }
    }

    [Fact]
    public void A_real_trade_notification_parses_into_a_paid_notification()
    {
        var vector = KnownAnswerVectors.Notify("trade_status_sync TRADE_SUCCESS (with sign_type)");
        var options = new AlipayOptions
        {
            AppId = "2019073166072302",
            SellerId = "2088531891668739",
            AlipayPublicKey = vector.GetProperty("alipayPublicKey").GetString()!,
        };

        var result = AlipayTradeNotification.Verify(KnownAnswerVectors.Params(vector), options);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("20190815155618536-564-57", result.Value.OutTradeNo);
        Assert.Equal(100_000, result.Value.TotalAmountMicroYuan);
        Assert.True(result.Value.IsPaid);
        Assert.Equal(new DateTimeOffset(2019, 8, 15, 7, 56, 24, TimeSpan.Zero), result.Value.PaidAt);
    }

    [Theory]
    [MemberData(nameof(KnownAnswerVectors.ResponseNames), MemberType = typeof(KnownAnswerVectors))]
    public void Response_vectors_verify_exactly_as_expected(string name)
    {
        var vector = KnownAnswerVectors.Response(name);
        using var key = RsaKeys.LoadPublicKey(vector.GetProperty("alipayPublicKey").GetString()!);

        var result = AlipayResponseVerifier.Verify(
            vector.GetProperty("body").GetString()!, vector.GetProperty("method").GetString()!, key);

        Assert.Equal(vector.GetProperty("expectValid").GetBoolean(), result.IsSuccess);
        if (!result.IsSuccess)
        {
            Assert.Equal(AlipayErrors.InvalidSignatureCode, result.Error.Code);
        }
    }

    [Fact]
    public void Response_vector_signed_text_is_cut_verbatim_from_the_body()
    {
        var vector = KnownAnswerVectors.Response("alipay.open.file.upload success response");
        var envelope = AlipayResponseEnvelope.Parse(vector.GetProperty("body").GetString()!, "alipay.open.file.upload");

        Assert.True(envelope.IsSuccess);
        Assert.Equal("alipay_open_file_upload_response", envelope.Value.NodeName);
        Assert.Equal("""{"code":"10000","msg":"Success","file_id":"CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"}""", envelope.Value.RawJson);
        Assert.StartsWith("F+LDzpTN", envelope.Value.Sign);
    }
}
