using Portal.Core.Localization;

namespace Portal.Core.Features.Catalog;

/// <summary>
/// The default <see cref="IChannelHealth"/> when no relay is wired into the process (tools, tests of other features):
/// it has seen no traffic and cannot probe. The relay registers the real one, which replaces this.
/// </summary>
public sealed class NoChannelHealth : IChannelHealth
{
    /// <summary>The probe's answer; the channels page shows it as the result of "test now".</summary>
    public const string NotAvailable = "Health checks need the relay, which is not running in this process.";

    public IReadOnlyList<ChannelHealthSnapshot> Snapshot() => [];

    public Task<ChannelProbeResult> ProbeAsync(Guid channelId, CancellationToken cancellationToken) =>
        Task.FromResult(new ChannelProbeResult(false, null, 0, LocalizedText.Encode(NotAvailable)));
}
