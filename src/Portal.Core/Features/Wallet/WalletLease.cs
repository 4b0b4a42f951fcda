namespace Portal.Core.Features.Wallet;

/// <summary>
/// A block of a tenant's available money reserved by one relay replica (DESIGN §6). Its amount is counted in
/// <see cref="Wallet.ReservedMicroYuan"/>; the replica hands out per-request holds from it in memory, extends it when
/// it runs low and releases it when idle. A lease past <see cref="ExpiresAt"/> belongs to a dead replica: a job
/// releases it (Reserved −= Amount).
/// </summary>
public sealed class WalletLease
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid WalletId { get; set; }

    /// <summary>The replica that holds it (process instance id).</summary>
    public string ReplicaId { get; set; } = "";

    public long AmountMicroYuan { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset RenewedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
