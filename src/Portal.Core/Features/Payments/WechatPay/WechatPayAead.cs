using System.Security.Cryptography;
using System.Text;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>An encrypted resource as WeChat Pay sends it (notification <c>resource</c>, <c>encrypt_certificate</c>).</summary>
public sealed record WechatPayEncryptedResource(string Algorithm, string Ciphertext, string AssociatedData, string Nonce, string? OriginalType = null);

/// <summary>
/// AEAD_AES_256_GCM with the APIv3 key (证书和回调报文解密): the key is the 32 ASCII characters of the APIv3 key,
/// the nonce the 12 characters sent with the resource, the ciphertext base64 of ciphertext followed by the 16-byte tag.
/// </summary>
public static class WechatPayAead
{
    public const string Algorithm = "AEAD_AES_256_GCM";

    private const int TagSize = 16;

    /// <summary>Decrypts and authenticates; any tampering (ciphertext, tag, nonce, associated data, key) fails.</summary>
    public static Result<string> Decrypt(string key, WechatPayEncryptedResource resource)
    {
        if (resource.Algorithm != Algorithm) return WechatPayErrors.InvalidResponse($"Unsupported resource algorithm '{resource.Algorithm}'.");
        return Decrypt(Encoding.UTF8.GetBytes(key), resource.Nonce, resource.AssociatedData, resource.Ciphertext);
    }

    /// <summary>The primitive; AES-GCM with any AES key length (WeChat Pay itself always uses 32 bytes).</summary>
    public static Result<string> Decrypt(byte[] key, string nonce, string? associatedData, string ciphertext)
    {
        byte[] data;
        try
        {
            data = Convert.FromBase64String(ciphertext);
        }
        catch (FormatException)
        {
            return WechatPayErrors.InvalidSignature("The resource ciphertext is not base64.");
        }

        var nonceBytes = Encoding.UTF8.GetBytes(nonce);
        if (data.Length < TagSize || key.Length is not (16 or 24 or 32) || nonceBytes.Length != 12)
            return WechatPayErrors.InvalidSignature("The resource cannot be decrypted (length of key, nonce or ciphertext).");
        var plain = new byte[data.Length - TagSize];
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(nonceBytes, data.AsSpan(0, plain.Length), data.AsSpan(plain.Length), plain, Encoding.UTF8.GetBytes(associatedData ?? ""));
        }
        catch (AuthenticationTagMismatchException)
        {
            return WechatPayErrors.InvalidSignature("The resource failed authentication (wrong key or tampered ciphertext).");
        }

        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Encrypts as WeChat Pay does (the simulator's notifications and certificates).</summary>
    public static WechatPayEncryptedResource Encrypt(string key, string plaintext, string associatedData, string? originalType = null)
    {
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[plain.Length + TagSize];
        using var gcm = new AesGcm(Encoding.UTF8.GetBytes(key), TagSize);
        gcm.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, output.AsSpan(0, plain.Length), output.AsSpan(plain.Length), Encoding.UTF8.GetBytes(associatedData));
        return new WechatPayEncryptedResource(Algorithm, Convert.ToBase64String(output), associatedData, nonce, originalType);
    }
}
