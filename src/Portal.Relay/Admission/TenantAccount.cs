namespace Portal.Relay.Admission;

/// <summary>
/// One tenant's money on this replica, in memory: the lease it holds in the database (<see cref="Lease"/>, counted in
/// the wallet's Reserved), the holds of requests in flight (<see cref="Held"/>) and what settled requests consumed but
/// the settlement writer has not yet written (<see cref="Pending"/>). A request may be held only from
/// <c>Lease − Held − Pending</c>, so everything handed out is money already reserved in the database.
/// All fields are guarded by <see cref="Gate"/>.
/// </summary>
internal sealed class TenantAccount(Guid tenantId)
{
    public Lock Gate { get; } = new();

    public Guid TenantId { get; } = tenantId;

    /// <summary>The tenant's wallet, once known.</summary>
    public Guid? WalletId { get; set; }

    public long Lease { get; set; }

    public long Held { get; set; }

    public long Pending { get; set; }

    /// <summary>Requests admitted and not yet settled.</summary>
    public int InFlight { get; set; }

    /// <summary>The extension in progress, if any (one at a time per tenant).</summary>
    public Task<bool>? Extending { get; set; }

    /// <summary>When the last request was admitted or settled (UTC ticks of the injected clock).</summary>
    public long LastActivityTicks { get; set; }

    /// <summary>
    /// Until when (UTC ticks of the injected clock) the lease is sure to be backed: when the wallet's reservations leaned
    /// on plan credit as the lease grew, the earliest expiry of that credit; otherwise <see cref="long.MaxValue"/>. Past it
    /// nothing more is held from the lease until its free part went back to the wallet.
    /// </summary>
    public long BackedUntilTicks { get; set; } = long.MaxValue;

    public long Free => Lease - Held - Pending;
}
