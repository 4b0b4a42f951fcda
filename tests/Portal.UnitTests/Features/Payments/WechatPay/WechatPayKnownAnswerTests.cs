using System.Security.Cryptography;
using System.Text;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.UnitTests.Features.Payments.WechatPay;

/// <summary>
/// Known answers from WeChat Pay's own material. Every vector names its source; none is made up here.
/// </summary>
public class WechatPayKnownAnswerTests
{
    // Source: WeChat Pay APIv3 documentation, 签名生成 (pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml):
    // the worked example that signs GET /v3/certificates, and the Authorization header it shows.
    private const string DocTimestamp = "1554208460";
    private const string DocNonce = "593BEC0C930BF1AFEB40B4A08C8FB242";
    private const string DocSignature = "uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==";
    private const string DocAuthorization = "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",signature=\"" + DocSignature + "\",timestamp=\"1554208460\",serial_no=\"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C\"";

    // Source: wechatpay-apiv3/wechatpay-go, utils/sign_test.go (the official Go SDK): its test key, the message "source"
    // and the SHA256-with-RSA signature it expects (PKCS#1 v1.5 is deterministic, so the answer is exact).
    private const string GoSdkTestKey = """
        -----BEGIN PRIVATE KEY-----
        MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
        fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
        6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
        FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
        0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
        3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
        LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
        OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
        C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
        0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
        +cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
        gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
        AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
        hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
        6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
        WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
        D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
        aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
        ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
        YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
        BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
        EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
        Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
        +RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
        jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
        BDa+8mDLkWu5nHEhOxy2JJZl
        -----END PRIVATE KEY-----
        """;

    private const string GoSdkExpectedSignature = "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoV"
        + "z+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLl"
        + "i/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj"
        + "1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==";

    // Source: wechatpay-apiv3/wechatpay-go, utils/aes_test.go: an AEAD_AES_256_GCM-style resource. Note that its key,
    // "testAPIv3Key0000", is 16 bytes (so AES-128-GCM); the construction (nonce, associated data, tag appended) is the same.
    private const string GoSdkAesKey = "testAPIv3Key0000";
    private const string GoSdkAesNonce = "wCq51qZv4Yfg";
    private const string GoSdkAesAssociatedData = "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8";
    private const string GoSdkAesCiphertext = "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC";

    [Fact]
    public void Signature_string_of_the_documented_certificates_request()
    {
        Assert.Equal(
            "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
            WechatPaySignature.RequestMessage("GET", "/v3/certificates", long.Parse(DocTimestamp), DocNonce, ""));
    }

    [Fact]
    public void Authorization_header_has_the_documented_format()
    {
        Assert.Equal(DocAuthorization, WechatPaySignature.AuthorizationHeader(
            new WechatPayAuthorization("1900009191", DocNonce, long.Parse(DocTimestamp), "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", DocSignature)));
        Assert.Equal(
            new WechatPayAuthorization("1900009191", DocNonce, 1554208460, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", DocSignature),
            WechatPaySignature.ParseAuthorization(DocAuthorization));
    }

    [Fact]
    public void Authorization_fields_may_come_in_any_order_but_not_twice_or_under_another_scheme()
    {
        const string reordered = "WECHATPAY2-SHA256-RSA2048 serial_no=\"S\",timestamp=\"1\",signature=\"c2ln\",nonce_str=\"N\",mchid=\"M\"";
        Assert.Equal(new WechatPayAuthorization("M", "N", 1, "S", "c2ln"), WechatPaySignature.ParseAuthorization(reordered));
        Assert.Null(WechatPaySignature.ParseAuthorization(reordered + ",mchid=\"X\""));
        Assert.Null(WechatPaySignature.ParseAuthorization(reordered.Replace("WECHATPAY2-SHA256-RSA2048", "Bearer", StringComparison.Ordinal)));
        Assert.Null(WechatPaySignature.ParseAuthorization(reordered.Replace("timestamp=\"1\"", "timestamp=\"x\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Sha256_with_rsa_matches_the_go_sdk_vector()
    {
        using var key = RsaKeys.LoadPrivateKey(GoSdkTestKey);
        Assert.Equal(GoSdkExpectedSignature, WechatPaySignature.Sign("source", key));
        using var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        Assert.True(WechatPaySignature.Verify("source", GoSdkExpectedSignature, publicKey));
        Assert.False(WechatPaySignature.Verify("sourcE", GoSdkExpectedSignature, publicKey));
        Assert.False(WechatPaySignature.Verify("source", "not base64!", publicKey));
    }

    [Fact]
    public void Aes_gcm_resource_decrypts_to_the_go_sdk_plaintext()
    {
        var plain = WechatPayAead.Decrypt(Encoding.UTF8.GetBytes(GoSdkAesKey), GoSdkAesNonce, GoSdkAesAssociatedData, GoSdkAesCiphertext);
        Assert.True(plain.IsSuccess, plain.Error?.Message);
        Assert.Equal("Hello World", plain.Value);
    }

    [Theory]
    [InlineData("testAPIv3Key1111", GoSdkAesNonce, GoSdkAesAssociatedData, GoSdkAesCiphertext)] // wrong key (the SDK's own negative case)
    [InlineData(GoSdkAesKey, "wCq51qZv4Yfh", GoSdkAesAssociatedData, GoSdkAesCiphertext)] // nonce changed
    [InlineData(GoSdkAesKey, GoSdkAesNonce, "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR9", GoSdkAesCiphertext)] // associated data changed
    [InlineData(GoSdkAesKey, GoSdkAesNonce, GoSdkAesAssociatedData, "GsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC")] // ciphertext byte changed
    [InlineData(GoSdkAesKey, GoSdkAesNonce, GoSdkAesAssociatedData, "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROD")] // tag byte changed
    [InlineData(GoSdkAesKey, GoSdkAesNonce, GoSdkAesAssociatedData, "SGVsbG8gV29ybGQK")] // the SDK's "invalid ciphertext"
    [InlineData(GoSdkAesKey, GoSdkAesNonce, GoSdkAesAssociatedData, "invalid cipher")] // not base64
    public void Tampered_resources_do_not_decrypt(string key, string nonce, string associatedData, string ciphertext) =>
        Assert.Equal(WechatPayErrors.InvalidSignatureCode, WechatPayAead.Decrypt(Encoding.UTF8.GetBytes(key), nonce, associatedData, ciphertext).Error?.Code);

    [Fact]
    public void Encrypted_resources_round_trip_with_a_32_byte_apiv3_key()
    {
        const string apiV3Key = "0123456789abcdefghijklmnopqrstuv";
        var encrypted = WechatPayAead.Encrypt(apiV3Key, "{\"out_trade_no\":\"TU1\"}", "transaction");
        Assert.Equal(WechatPayAead.Algorithm, encrypted.Algorithm);
        Assert.Equal(12, encrypted.Nonce.Length);
        Assert.Equal("{\"out_trade_no\":\"TU1\"}", WechatPayAead.Decrypt(apiV3Key, encrypted).Value);
        Assert.False(WechatPayAead.Decrypt("0123456789abcdefghijklmnopqrstuw", encrypted).IsSuccess);
        Assert.False(WechatPayAead.Decrypt(apiV3Key, encrypted with { Algorithm = "AEAD_AES_128_GCM" }).IsSuccess);
    }
}
