using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Portal.Core.Data;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// 身份证 numbers at rest: encrypted with Data Protection (as channel keys are), plus an HMAC-SHA256 keyed hash under a
/// generated platform secret for equality (the unique index on approved numbers and the duplicate check), and the
/// masked form (<c>110101********1234</c>) everyone but the reviewing operator sees.
/// </summary>
public sealed class ResidentIdSecrets(IDataProtectionProvider provider, PlatformSecrets secrets)
{
    public const string HashKeyName = "kyc.id-number-hash";

    private readonly IDataProtector _protector = provider.CreateProtector("Portal.Kyc.IdNumber");
    private byte[]? _hashKey;

    public string Protect(string idNumber) => _protector.Protect(idNumber);

    public string Unprotect(string protectedIdNumber) => _protector.Unprotect(protectedIdNumber);

    /// <summary>Loads (on the first start of a deployment: generates) the hash key.</summary>
    public async Task<byte[]> EnsureHashKeyAsync(CancellationToken cancellationToken = default) =>
        _hashKey ??= await secrets.GetOrCreateAsync(HashKeyName, 32, cancellationToken);

    /// <summary>The keyed hash of the normalised number (lower-case hex, 64 characters).</summary>
    public async Task<string> HashAsync(string idNumber, CancellationToken cancellationToken = default)
    {
        var key = await EnsureHashKeyAsync(cancellationToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(ResidentIdNumber.Normalize(idNumber))));
    }

    /// <summary>Region and last four characters: <c>110101********1234</c>.</summary>
    public static string Mask(string? idNumber) => idNumber switch
    {
        null => "",
        { Length: ResidentIdNumber.Length } => idNumber[..6] + new string('*', 8) + idNumber[14..],
        _ => new string('*', idNumber.Length),
    };
}
