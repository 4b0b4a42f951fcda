using System.Security.Cryptography;

namespace Portal.UnitTests.Features.Payments.Alipay;

/// <summary>Two RSA-2048 key pairs generated once per test run: A plays the merchant, B an impostor (or Alipay).</summary>
internal static class TestKeys
{
    private static readonly Lazy<RSA> LazyA = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> LazyB = new(() => RSA.Create(2048));

    public static RSA A => LazyA.Value;

    public static RSA B => LazyB.Value;

    public static string Pkcs8Pem(RSA key) => key.ExportPkcs8PrivateKeyPem();

    public static string Pkcs1Pem(RSA key) => key.ExportRSAPrivateKeyPem();

    public static string Pkcs8Base64(RSA key) => Convert.ToBase64String(key.ExportPkcs8PrivateKey());

    public static string Pkcs1Base64(RSA key) => Convert.ToBase64String(key.ExportRSAPrivateKey());

    public static string SpkiBase64(RSA key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    public static string SpkiPem(RSA key) => key.ExportSubjectPublicKeyInfoPem();

    public static string Pkcs1PublicPem(RSA key) => key.ExportRSAPublicKeyPem();

    public static string Pkcs1PublicBase64(RSA key) => Convert.ToBase64String(key.ExportRSAPublicKey());

    /// <summary>A public-only RSA object, so tests cannot accidentally verify with a private key.</summary>
    public static RSA PublicOnly(RSA key)
    {
        var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return rsa;
    }
}
