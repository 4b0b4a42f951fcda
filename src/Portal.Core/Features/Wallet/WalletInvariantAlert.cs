namespace Portal.Core.Features.Wallet;

/// <summary>
/// A wallet whose balance disagreed with its ledger when the nightly check ran. Operators see a banner until
/// someone acknowledges it with a note. Not tenant-owned: only operators read it.
/// </summary>
public sealed class WalletInvariantAlert
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid WalletId { get; set; }

    public DateTimeOffset DetectedAt { get; set; }

    public long BalanceMicroYuan { get; set; }

    public long ExpectedMicroYuan { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public string? AcknowledgedBy { get; set; }

    public string? Note { get; set; }
}
