using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipayKeysTests
{
    private const string Content = "app_id=2021000000000001&method=alipay.trade.query&sign_type=RSA2";

    public static TheoryData<string> PrivateKeyShapes()
    {
        var a = TestKeys.A;
        var pkcs8Wrapped = string.Join('\n', TestKeys.Pkcs8Base64(a).Chunk(64).Select(c => new string(c)));
        return new TheoryData<string>
        {
            TestKeys.Pkcs8Pem(a),
            TestKeys.Pkcs1Pem(a),
            TestKeys.Pkcs8Base64(a),
            TestKeys.Pkcs1Base64(a),
            pkcs8Wrapped,
            "  " + TestKeys.Pkcs1Base64(a).Insert(100, "\r\n").Insert(10, " ") + "\n",
            TestKeys.Pkcs8Pem(a).Replace("\n", "\r\n"),
        };
    }

    [Theory]
    [MemberData(nameof(PrivateKeyShapes))]
    public void Every_private_key_shape_produces_the_same_signature(string keyText)
    {
        var expected = AlipaySignature.Sign(Content, TestKeys.A);
        using var key = RsaKeys.LoadPrivateKey(keyText);
        Assert.Equal(expected, AlipaySignature.Sign(Content, key));
    }

    public static TheoryData<string> PublicKeyShapes()
    {
        var a = TestKeys.A;
        return new TheoryData<string>
        {
            TestKeys.SpkiPem(a),
            TestKeys.SpkiBase64(a),
            TestKeys.Pkcs1PublicPem(a),
            TestKeys.Pkcs1PublicBase64(a),
            string.Join("\n", TestKeys.SpkiBase64(a).Chunk(64).Select(c => new string(c))),
        };
    }

    [Theory]
    [MemberData(nameof(PublicKeyShapes))]
    public void Every_public_key_shape_verifies(string keyText)
    {
        var sign = AlipaySignature.Sign(Content, TestKeys.A);
        using var key = RsaKeys.LoadPublicKey(keyText);
        Assert.True(AlipaySignature.Verify(Content, sign, key));
        Assert.False(AlipaySignature.Verify(Content + "x", sign, key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a key at all!")]
    [InlineData("aGVsbG8gd29ybGQ=")] // valid base64, not DER
    [InlineData("-----BEGIN PRIVATE KEY-----\n%%%\n-----END PRIVATE KEY-----")]
    public void Garbage_private_keys_are_refused_with_a_message(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => RsaKeys.LoadPrivateKey(text));
        Assert.Contains("private key", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key at all!")]
    [InlineData("aGVsbG8gd29ybGQ=")]
    public void Garbage_public_keys_are_refused_with_a_message(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => RsaKeys.LoadPublicKey(text));
        Assert.Contains("public key", ex.Message);
    }

    [Fact]
    public void A_public_key_is_not_accepted_as_a_private_key()
    {
        Assert.Throws<ArgumentException>(() => RsaKeys.LoadPrivateKey(TestKeys.SpkiPem(TestKeys.A)));
        Assert.Throws<ArgumentException>(() => RsaKeys.LoadPrivateKey(TestKeys.SpkiBase64(TestKeys.A)));
    }

    [Fact]
    public void An_encrypted_private_key_is_refused_by_label()
    {
        var pem = TestKeys.A.ExportEncryptedPkcs8PrivateKeyPem(
            "pw", new System.Security.Cryptography.PbeParameters(
                System.Security.Cryptography.PbeEncryptionAlgorithm.Aes128Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 1000));
        var ex = Assert.Throws<ArgumentException>(() => RsaKeys.LoadPrivateKey(pem));
        Assert.Contains("ENCRYPTED PRIVATE KEY", ex.Message);
    }

    [Fact]
    public void Error_messages_do_not_echo_key_material()
    {
        var base64 = TestKeys.Pkcs8Base64(TestKeys.A);
        var truncated = base64[..200] + "!!";
        var ex = Assert.Throws<ArgumentException>(() => RsaKeys.LoadPrivateKey(truncated));
        Assert.DoesNotContain(base64[..40], ex.Message);
    }

    [Fact]
    public void The_known_answer_public_keys_load_bare_and_pem()
    {
        foreach (var name in new[] { "trade_status_sync TRADE_SUCCESS (with sign_type)", "servicemarket_order_notify (signed WITH sign_type, V2 rule)" })
        {
            using var key = RsaKeys.LoadPublicKey(KnownAnswerVectors.Notify(name).GetProperty("alipayPublicKey").GetString()!);
            Assert.Equal(2048, key.KeySize);
        }
    }
}
