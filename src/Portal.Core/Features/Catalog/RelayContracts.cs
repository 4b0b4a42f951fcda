using Portal.Core.Localization;

namespace Portal.Core.Features.Catalog;

/// <summary>
/// What the catalog and key use cases tell the relay after a change, so its in-memory caches (keys, models, prices,
/// channels; TTL ≤ 5 s for other replicas) drop stale entries at once on this replica. The relay registers the real
/// one; without a relay (tools, tests of other features) <see cref="NoRelayCache"/> does nothing.
/// </summary>
public interface IRelayCache
{
    /// <summary>Models, prices or channels changed.</summary>
    void CatalogChanged();

    /// <summary>A key was disabled, enabled, revoked or edited.</summary>
    void KeyChanged(string secretHash);

    /// <summary>Something about a tenant that admission checks changed (KYC revoked, suspended).</summary>
    void TenantChanged(Guid tenantId);
}

public sealed class NoRelayCache : IRelayCache
{
    public void CatalogChanged() { }

    public void KeyChanged(string secretHash) { }

    public void TenantChanged(Guid tenantId) { }
}

public enum CircuitState
{
    [EnumText("Closed (healthy)")]
    Closed,
    [EnumText("Open (skipped)")]
    Open,
    [EnumText("Half-open (probing)")]
    HalfOpen,
}

/// <summary>One channel's health as this replica saw it recently.</summary>
public sealed record ChannelHealthSnapshot(
    Guid ChannelId,
    int RecentRequests,
    double SuccessRate,
    double P50LatencyMs,
    CircuitState Circuit,
    string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>
/// The outcome of "test now": one small real request through the channel. <see cref="Message"/> is
/// <see cref="LocalizedText"/>, rendered in the reader's language.
/// </summary>
public sealed record ChannelProbeResult(bool Ok, int? HttpStatus, double LatencyMs, string Message);

/// <summary>Channel health for the operator pages; implemented by the relay.</summary>
public interface IChannelHealth
{
    IReadOnlyList<ChannelHealthSnapshot> Snapshot();

    Task<ChannelProbeResult> ProbeAsync(Guid channelId, CancellationToken cancellationToken);
}
