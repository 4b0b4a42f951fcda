using Portal.Core.Common;

namespace Portal.Core.Features.ApiKeys;

/// <summary>A freshly generated key: the secret (shown once), its SHA-256 hex (stored) and its display prefix (stored).</summary>
public sealed record IssuedSecret(string Secret, string Hash, string Prefix);

/// <summary>
/// The relay's rules for keys, reached from Core through this seam because Core cannot reference the relay
/// (Portal.Relay references Core): the secret's format and hash (<c>Portal.Relay.Keys.ApiKeyFormat</c>) and the
/// IP allowlist grammar (<c>Portal.Relay.Access.IpAllowlist</c>). One implementation, in the relay, so what the
/// portal stores is exactly what the relay checks.
/// </summary>
public interface IApiKeyRules
{
    /// <summary>A new <c>sk-cn-</c> secret from the OS CSPRNG.</summary>
    IssuedSecret NewSecret();

    /// <summary>
    /// One allowlist entry (an IPv4 / IPv6 address or CIDR block) in the normalised form the relay parses
    /// (<c>203.0.113.7</c> → <c>203.0.113.7/32</c>), or an error saying why it is not one.
    /// </summary>
    Result<string> NormalizeIpRange(string entry);
}
