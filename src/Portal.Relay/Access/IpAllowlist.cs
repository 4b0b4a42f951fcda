using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Portal.Core.Common;

namespace Portal.Relay.Access;

/// <summary>
/// The client addresses an API key accepts: single addresses and CIDR blocks, IPv4 and IPv6. An empty list means the
/// key is not restricted. IPv4-mapped IPv6 addresses (<c>::ffff:10.1.2.3</c>, what a dual-stack socket reports for an
/// IPv4 client) match IPv4 entries, and IPv4 clients match entries written in mapped form, so the same rule holds
/// whichever way the listener or the customer spelled the address.
/// </summary>
public sealed class IpAllowlist
{
    private readonly IPNetwork[] _networks;

    private IpAllowlist(IPNetwork[] networks) => _networks = networks;

    /// <summary>The unrestricted list.</summary>
    public static IpAllowlist AllowAll { get; } = new([]);

    /// <summary>The entries, normalised (<c>10.1.2.3</c> becomes <c>10.1.2.3/32</c>).</summary>
    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>True when the list has no entries and so allows every address.</summary>
    public bool IsUnrestricted => _networks.Length == 0;

    /// <summary>
    /// Parses entries such as <c>10.0.0.0/8</c>, <c>203.0.113.7</c>, <c>2001:db8::/32</c>. Blank entries are ignored.
    /// The first invalid entry fails the whole list with <c>Relay.IpAllowlist.InvalidEntry</c>, naming it.
    /// </summary>
    public static Result<IpAllowlist> Parse(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (string.IsNullOrWhiteSpace(entry)) continue;
            var parsed = ParseEntry(entry);
            if (!parsed.IsSuccess) return parsed.Error;
            if (!networks.Contains(parsed.Value)) networks.Add(parsed.Value);
        }

        return networks.Count == 0 ? AllowAll : new IpAllowlist([.. networks]);
    }

    /// <summary>Parses a list separated by commas, semicolons, spaces or line breaks, as typed in the key settings form.</summary>
    public static Result<IpAllowlist> Parse(string? text) =>
        Parse((text ?? "").Split([',', ';', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Parses one address or CIDR block. Rejected with a message saying why: not an address, a prefix outside
    /// 0–32 / 0–128, a zone id (<c>fe80::1%eth0</c>), shorthand IPv4 (<c>10.1</c>, which the OS would read as
    /// 10.0.0.1), and host bits set past the prefix (<c>10.0.0.1/8</c>: ambiguous, the message suggests the block).
    /// </summary>
    public static Result<IPNetwork> ParseEntry(string entry)
    {
        var text = entry.AsSpan().Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.Contains('%')) return Invalid(entry, "zone ids (%…) are not allowed");
        if (!IPAddress.TryParse(addressText, out var address)) return Invalid(entry, "it is not an IPv4 or IPv6 address");
        if (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count('.') != 3)
            return Invalid(entry, "an IPv4 address needs four dotted parts, e.g. 10.0.0.0/8");

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.IsEmpty || prefixText.Length > 3 || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix)
                return Invalid(entry, $"the prefix length must be a number from 0 to {maxPrefix}");
        }

        var network = new IPNetwork(Mask(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
            return Invalid(entry, $"the address has bits set past /{prefix}; did you mean {network}?");
        return network;
    }

    /// <summary>True when <paramref name="address"/> falls in one of the entries, or the list is unrestricted.</summary>
    public bool Allows(IPAddress address)
    {
        if (_networks.Length == 0) return true;

        // Compare each entry in its own family: an IPv4 client against IPv4 entries as-is and against IPv6 entries in
        // mapped form (::ffff:a.b.c.d), and the reverse for a mapped client.
        IPAddress? v4 = null, v6 = null;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            v4 = address;
            v6 = address.MapToIPv6();
        }
        else if (address.IsIPv4MappedToIPv6)
        {
            v4 = address.MapToIPv4();
            v6 = address;
        }
        else
        {
            v6 = address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());
        }

        foreach (var network in _networks)
        {
            var candidate = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? v4 : v6;
            if (candidate is not null && network.Contains(candidate)) return true;
        }

        return false;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }

        return new IPAddress(bytes);
    }

    private static Error Invalid(string entry, string why) =>
        new("Relay.IpAllowlist.InvalidEntry", $"'{entry.Trim()}' is not a valid IP address or CIDR block: {why}.");
}
