using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.DataProtection;
using Portal.Relay.Access;

namespace Portal.Relay.Auth;

/// <summary>What the relay needs of an API key, read once and cached (never the secret itself).</summary>
internal sealed class RelayKey
{
    public required Guid Id { get; init; }

    public required Guid TenantId { get; init; }

    public required string Prefix { get; init; }

    public required ApiKeyStatus Status { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Null = every model.</summary>
    public HashSet<string>? AllowedModels { get; init; }

    public required IpAllowlist AllowedIps { get; init; }

    public int? RequestsPerMinute { get; init; }

    public long? MonthlyBudgetMicroYuan { get; init; }

    /// <summary>The effective data policy (the key's override, else the tenant's default); null = nothing to do (all off).</summary>
    public RelayDataPolicy? DataPolicy { get; init; }

    /// <summary>The rate limiter's key for this API key (its id as text, made once).</summary>
    public required string RateKey { get; init; }

    public bool MayUse(string model) => AllowedModels is null || AllowedModels.Contains(model);

    public static RelayKey From(ApiKey key, DataPolicy? policy = null)
    {
        // An allowlist that no longer parses (stored by an older rule) is treated as "no address allowed" rather than "any".
        var ips = IpAllowlist.Parse(key.AllowedIpRanges);
        return new RelayKey
        {
            Id = key.Id,
            TenantId = key.TenantId,
            Prefix = key.Prefix,
            Status = key.AllowedIpRanges.Count > 0 && !ips.IsSuccess ? ApiKeyStatus.Disabled : key.Status,
            ExpiresAt = key.ExpiresAt,
            AllowedModels = key.AllowedModels.Count == 0 ? null : new HashSet<string>(key.AllowedModels, StringComparer.Ordinal),
            AllowedIps = ips.IsSuccess ? ips.Value : IpAllowlist.AllowAll,
            RequestsPerMinute = key.RequestsPerMinute is > 0 ? key.RequestsPerMinute : null,
            MonthlyBudgetMicroYuan = key.MonthlyBudgetMicroYuan,
            RateKey = key.Id.ToString("N"),
            DataPolicy = RelayDataPolicy.From(policy),
        };
    }
}

/// <summary>A data policy as the relay applies it (<see cref="DataPolicy"/>), immutable.</summary>
internal sealed record RelayDataPolicy(PiiHandling Pii, PiiScope Scope, bool RestoreInAnswers, bool NoCrossBorder)
{
    /// <summary>Null when the policy does nothing, so the hot path pays nothing for it.</summary>
    public static RelayDataPolicy? From(DataPolicy? policy) =>
        policy is null || (policy.Pii == PiiHandling.Off && !policy.NoCrossBorder) ? null
            : new RelayDataPolicy(policy.Pii, policy.PiiScope, policy.RestoreInAnswers, policy.NoCrossBorder);
}
