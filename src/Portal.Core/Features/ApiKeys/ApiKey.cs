using Portal.Core.Data;

namespace Portal.Core.Features.ApiKeys;

public enum ApiKeyStatus
{
    Active,
    Disabled,
    Revoked,
}

/// <summary>
/// A tenant's key to the relay. The secret (<c>sk-cn-</c> + 48 base62) is shown once; only its SHA-256
/// (<see cref="SecretHash"/>, lowercase hex) and a display <see cref="Prefix"/> are kept.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The first characters of the secret, e.g. <c>sk-cn-Ab12</c>, for recognising it in lists.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>SHA-256 of the whole secret, 64 lowercase hex characters; unique.</summary>
    public string SecretHash { get; set; } = "";

    public ApiKeyStatus Status { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Public model ids the key may call; empty = every enabled model.</summary>
    public List<string> AllowedModels { get; set; } = [];

    /// <summary>CIDRs (IPv4 / IPv6) the key may be used from; empty = anywhere.</summary>
    public List<string> AllowedIpRanges { get; set; } = [];

    /// <summary>Requests per minute; null = no limit beyond the platform's.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Spend allowed per calendar month (Asia/Shanghai); null = no budget.</summary>
    public long? MonthlyBudgetMicroYuan { get; set; }

    public Guid CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>
/// A key's spend in one month (Asia/Shanghai, <see cref="Month"/> = yyyyMM) and the part of its budget held by
/// requests in flight. Maintained by the relay's settlement; the key budget is enforced against
/// <c>Spent + Reserved</c>.
/// </summary>
public sealed class ApiKeySpend : ITenantOwned
{
    public Guid ApiKeyId { get; set; }

    public int Month { get; set; }

    public Guid TenantId { get; set; }

    public long SpentMicroYuan { get; set; }

    public long ReservedMicroYuan { get; set; }

    public long Requests { get; set; }
}

/// <summary>
/// What one relay replica holds of a key's monthly budget for its requests in flight: its share of
/// <see cref="ApiKeySpend.ReservedMicroYuan"/>, changed in the same transactions. The replica renews
/// <see cref="ExpiresAt"/> with its wallet leases; when a replica dies, the lease-release job gives its holds back.
/// </summary>
public sealed class ApiKeyBudgetHold : ITenantOwned
{
    public Guid ApiKeyId { get; set; }

    public int Month { get; set; }

    public string ReplicaId { get; set; } = "";

    public Guid TenantId { get; set; }

    public long ReservedMicroYuan { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
