using System.Security.Cryptography;

namespace Portal.Core.Features.Invoices;

/// <summary>Codes of the public verification page: 128 random bits, URL-safe base64 without padding (22 characters).</summary>
public static class VerificationCodes
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Shape check before touching the database: anything else is answered like an unknown code.</summary>
    public static bool IsWellFormed(string? code) =>
        code is { Length: 22 } && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
