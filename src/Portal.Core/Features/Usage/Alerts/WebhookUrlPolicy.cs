using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Features.Usage.Alerts;

/// <summary>
/// Which webhook URLs the portal will call. HTTPS only; plain HTTP only to localhost outside production (for
/// development). In production no loopback, private, link-local or otherwise internal address, neither written in the
/// URL nor resolved from its host name at connection time (<see cref="IsPublic"/> runs in the HTTP client's connect
/// callback, so DNS rebinding cannot reach the internal network either).
/// </summary>
public static class WebhookUrlPolicy
{
    public const string InvalidMessage = "Enter an https:// URL.";

    public const string InternalMessage = "The webhook URL must be a public address.";

    /// <summary>Null when allowed, else the reason (an English message key).</summary>
    public static string? Check(string url, bool production)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || !string.IsNullOrEmpty(uri.UserInfo)) return InvalidMessage;
        var local = uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        if (uri.Scheme == Uri.UriSchemeHttp && !(local && !production)) return InvalidMessage;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return InvalidMessage;
        if (!production) return null;
        if (local || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)) return InternalMessage;
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && !IsPublic(address)) return InternalMessage;
        return null;
    }

    /// <summary>False for loopback, private (RFC 1918, ULA), link-local, CGNAT, multicast, unspecified and documentation ranges.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10 || b[0] == 0 || b[0] >= 224
                     || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                     || (b[0] == 192 && b[1] == 168)
                     || (b[0] == 169 && b[1] == 254)
                     || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                     || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                     || (b[0] == 198 && b[1] is 18 or 19)
                     || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                     || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8));
        }

        return false;
    }
}
