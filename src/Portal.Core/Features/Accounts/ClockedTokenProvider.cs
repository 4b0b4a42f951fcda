using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// Email-confirmation and password-reset tokens, like Identity's <see cref="DataProtectorTokenProvider{TUser}"/>
/// but dated by the injected <see cref="TimeProvider"/> (Identity's reads the system clock), so expiry follows
/// the portal's clock everywhere. A token is bound to the user, its purpose and the security stamp: changing
/// the password (or anything that rotates the stamp) invalidates every outstanding token.
/// </summary>
public sealed class ClockedTokenProvider(IDataProtectionProvider protection, IOptions<DataProtectionTokenProviderOptions> options, TimeProvider clock)
    : IUserTwoFactorTokenProvider<PortalUser>
{
    private readonly IDataProtector _protector = protection.CreateProtector("Portal.Accounts.Tokens");

    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PortalUser> manager, PortalUser user) => Task.FromResult(false);

    public async Task<string> GenerateAsync(string purpose, UserManager<PortalUser> manager, PortalUser user)
    {
        var payload = string.Join('\n',
            clock.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture),
            user.Id.ToString(),
            purpose,
            await manager.GetSecurityStampAsync(user));
        return Convert.ToBase64String(_protector.Protect(Encoding.UTF8.GetBytes(payload)));
    }

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PortalUser> manager, PortalUser user)
    {
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(_protector.Unprotect(Convert.FromBase64String(token))).Split('\n');
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return false;
        }

        if (parts.Length != 4 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)) return false;
        var created = new DateTimeOffset(ticks, TimeSpan.Zero);
        var now = clock.GetUtcNow();
        if (created > now || now - created > options.Value.TokenLifespan) return false;
        return parts[1] == user.Id.ToString()
            && parts[2] == purpose
            && parts[3] == await manager.GetSecurityStampAsync(user);
    }
}
