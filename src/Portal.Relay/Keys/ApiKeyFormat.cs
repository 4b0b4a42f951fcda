using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Portal.Relay.Keys;

/// <summary>
/// The shape of a portal API key: <c>sk-cn-</c> followed by 48 base62 characters (≈285 bits of entropy).
/// Keys are shown to the customer once and stored only as their SHA-256 hash (<see cref="Hash(ReadOnlySpan{char})"/>);
/// <see cref="Prefix"/> is what the UI and logs may show afterwards.
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>The fixed lead every portal key starts with.</summary>
    public const string KeyPrefix = "sk-cn-";

    /// <summary>Number of random base62 characters after <see cref="KeyPrefix"/>.</summary>
    public const int RandomLength = 48;

    /// <summary>Total length of a well-formed key.</summary>
    public const int KeyLength = 6 + RandomLength;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // 248 = 4 × 62: bytes at or above it are rejected so that every alphabet character is equally likely.
    private const int RejectionLimit = 256 - (256 % 62);

    /// <summary>Creates a new key from the operating system's CSPRNG. Uniform over the alphabet: rejection sampling, no modulo bias.</summary>
    public static string Generate() => string.Create(KeyLength, 0, static (chars, _) =>
    {
        KeyPrefix.AsSpan().CopyTo(chars);
        var random = chars[KeyPrefix.Length..];
        Span<byte> pool = stackalloc byte[64];
        var used = pool.Length;
        for (var i = 0; i < random.Length;)
        {
            if (used == pool.Length)
            {
                RandomNumberGenerator.Fill(pool);
                used = 0;
            }

            var b = pool[used++];
            if (b < RejectionLimit) random[i++] = Alphabet[b % 62];
        }

        pool.Clear();
    });

    /// <summary>
    /// Checks that <paramref name="candidate"/> has the shape of a portal key (after trimming surrounding whitespace)
    /// without allocating. Run it before any cache or database lookup so garbage never costs a hash lookup.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> candidate, out ReadOnlySpan<char> key)
    {
        key = default;
        var trimmed = candidate.Trim();
        if (trimmed.Length != KeyLength || !trimmed.StartsWith(KeyPrefix, StringComparison.Ordinal)) return false;
        foreach (var c in trimmed[KeyPrefix.Length..])
        {
            if (!char.IsAsciiLetterOrDigit(c)) return false;
        }

        key = trimmed;
        return true;
    }

    /// <summary>SHA-256 of the key's UTF-8 bytes as 64 lowercase hex characters: the value stored and looked up.</summary>
    public static string Hash(ReadOnlySpan<char> key)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(key.Length);
        var heap = maxBytes <= 256 ? null : new byte[maxBytes];
        Span<byte> utf8 = heap ?? stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);
        utf8[..length].Clear();
        return Convert.ToHexStringLower(digest);
    }

    /// <inheritdoc cref="Hash(ReadOnlySpan{char})"/>
    public static string Hash(string key) => Hash(key.AsSpan());

    /// <summary>
    /// The displayable form of a key, <c>sk-cn-AbCd…wxyz</c>: the first and last four random characters. Safe to store
    /// and show; it narrows a key down for its owner but is useless to guess the rest (40 hidden base62 characters).
    /// </summary>
    public static string Prefix(string key)
    {
        var random = key.AsSpan().StartsWith(KeyPrefix, StringComparison.Ordinal) ? key.AsSpan(KeyPrefix.Length) : key.AsSpan();
        if (random.Length < 8) return KeyPrefix + "…";
        return string.Concat(KeyPrefix, random[..4], "…", random[^4..]);
    }

    /// <summary>
    /// The credential a client sent: <c>Authorization: Bearer &lt;key&gt;</c> (scheme case-insensitive), else
    /// <c>x-api-key: &lt;key&gt;</c>. Returns an empty span when neither is present. The result is not validated:
    /// pass it to <see cref="TryParse"/>.
    /// </summary>
    public static ReadOnlySpan<char> FromHeaders(IHeaderDictionary headers)
    {
        foreach (var value in headers.Authorization)
        {
            var span = value.AsSpan().Trim();
            if (span.Length > 7 && span[..6].Equals("Bearer", StringComparison.OrdinalIgnoreCase) && span[6] == ' ')
                return span[7..].Trim();
        }

        if (headers.TryGetValue("x-api-key", out var apiKey))
        {
            foreach (var value in apiKey)
            {
                var span = value.AsSpan().Trim();
                if (!span.IsEmpty) return span;
            }
        }

        return [];
    }
}
