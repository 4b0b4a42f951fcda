using System.Security.Cryptography;

namespace Portal.Core.Features.Payments;

/// <summary>
/// Loads RSA keys in every shape the payment providers' tooling and SDKs hand out (Alipay, WeChat Pay): the key tool writes PKCS#8,
/// the .NET SDK wants PKCS#1, consoles show bare base64 without PEM headers.
/// Error messages never echo key material.
/// </summary>
public static class RsaKeys
{
    /// <summary>Loads a private key: PKCS#8 or PKCS#1, PEM (with headers) or bare base64 (whitespace ignored).</summary>
    /// <exception cref="ArgumentException">The text is not an unencrypted RSA private key.</exception>
    public static RSA LoadPrivateKey(string text)
    {
        var (label, der) = Decode(text, "private");
        var rsa = RSA.Create();
        try
        {
            var imported = label switch
            {
                "PRIVATE KEY" => TryImport(der, rsa.ImportPkcs8PrivateKey),
                "RSA PRIVATE KEY" => TryImport(der, rsa.ImportRSAPrivateKey),
                null => TryImport(der, rsa.ImportPkcs8PrivateKey)
                    || TryImport(der, rsa.ImportRSAPrivateKey),
                _ => throw new ArgumentException(
                    $"Expected an RSA private key but the PEM block is '{label}'. Encrypted keys and public keys are not accepted here.",
                    nameof(text)),
            };

            if (!imported)
            {
                throw new ArgumentException("The private key is neither a PKCS#8 nor a PKCS#1 RSA private key.", nameof(text));
            }

            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>Loads a public key: SubjectPublicKeyInfo or PKCS#1 RSAPublicKey, PEM or bare base64.</summary>
    /// <exception cref="ArgumentException">The text is not an RSA public key.</exception>
    public static RSA LoadPublicKey(string text)
    {
        var (label, der) = Decode(text, "public");
        var rsa = RSA.Create();
        try
        {
            var imported = label switch
            {
                "PUBLIC KEY" => TryImport(der, rsa.ImportSubjectPublicKeyInfo),
                "RSA PUBLIC KEY" => TryImport(der, rsa.ImportRSAPublicKey),
                null => TryImport(der, rsa.ImportSubjectPublicKeyInfo)
                    || TryImport(der, rsa.ImportRSAPublicKey),
                _ => throw new ArgumentException(
                    $"Expected an RSA public key but the PEM block is '{label}'. Certificates (certificate mode) are not supported.",
                    nameof(text)),
            };

            if (!imported)
            {
                throw new ArgumentException("The public key is neither a SubjectPublicKeyInfo nor a PKCS#1 RSA public key.", nameof(text));
            }

            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static (string? Label, byte[] Der) Decode(string text, string kind)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"The {kind} key is empty.", nameof(text));
        }

        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            if (!PemEncoding.TryFind(text, out var fields))
            {
                throw new ArgumentException($"The {kind} key has a PEM header but is not valid PEM.", nameof(text));
            }

            var label = text[fields.Label].ToString();
            var der = Convert.FromBase64String(text[fields.Base64Data].ToString());
            return (label, der);
        }

        // Consoles and config files wrap bare base64 at 64 columns or join lines with spaces.
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        var buffer = new byte[compact.Length];
        if (!Convert.TryFromBase64String(compact, buffer, out var written))
        {
            throw new ArgumentException($"The {kind} key is neither PEM nor base64.", nameof(text));
        }

        return (null, buffer[..written]);
    }

    private delegate void Importer(ReadOnlySpan<byte> source, out int bytesRead);

    // Trailing bytes after a valid structure mean the input is something else that happens to start alike.
    private static bool TryImport(byte[] der, Importer import)
    {
        try
        {
            import(der, out var read);
            return read == der.Length;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
