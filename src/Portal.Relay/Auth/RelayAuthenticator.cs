using Microsoft.AspNetCore.Http;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Kyc;
using Portal.Relay.Errors;
using Portal.Relay.Keys;

namespace Portal.Relay.Auth;

/// <summary>
/// Who is calling: the key from <c>Authorization: Bearer</c> or <c>x-api-key</c>, looked up by its SHA-256 in the key
/// cache, then the key's own state (active, not expired), the client address against its allowlist, and the tenant's
/// verification. The tenant comes from the key only.
/// </summary>
internal sealed class RelayAuthenticator(KeyCache keys, TenantGate tenants, TimeProvider clock)
{
    public async ValueTask<(RelayKey? Key, OpenAiErrorResponse? Error)> AuthenticateAsync(HttpContext context)
    {
        if (!TryHash(context.Request.Headers, out var hash, out var shown)) return (null, OpenAiErrors.InvalidApiKey(shown));

        var key = await keys.FindAsync(hash, context.RequestAborted);
        if (key is null || key.Status != ApiKeyStatus.Active || key.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
            return (null, OpenAiErrors.InvalidApiKey(shown));

        if (!key.AllowedIps.IsUnrestricted)
        {
            var address = context.Connection.RemoteIpAddress;
            if (address is null || !key.AllowedIps.Allows(address))
                return (null, OpenAiErrors.IpNotAllowed(Endpoints.RelayHttp.ClientIp(address) is { Length: > 0 } ip ? ip : "an unknown address"));
        }

        var gate = await tenants.CheckAsync(key.TenantId, context.RequestAborted);
        if (gate is not null) return (null, OpenAiErrors.AccountNotVerified(gate == KycGateErrors.Revoked));
        return (key, null);
    }

    /// <summary>The presented key's hash, and what an error message may show of it (never the whole secret).</summary>
    private static bool TryHash(IHeaderDictionary headers, out string hash, out string? shown)
    {
        var presented = ApiKeyFormat.FromHeaders(headers);
        if (!ApiKeyFormat.TryParse(presented, out var secret))
        {
            hash = "";
            shown = presented.IsEmpty ? null : MaskForMessage(presented);
            return false;
        }

        hash = ApiKeyFormat.Hash(secret);
        shown = string.Concat(secret[..(ApiKeyFormat.KeyPrefix.Length + 4)], "…", secret[^4..]);
        return true;
    }

    /// <summary>Something that is not a portal key: show its first and last characters only, like OpenAI does.</summary>
    private static string MaskForMessage(ReadOnlySpan<char> presented) =>
        presented.Length <= 8 ? "****" : string.Concat(presented[..3], "****", presented[^4..]);
}
