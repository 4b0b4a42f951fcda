using Portal.Core.Features.Usage;
using Portal.Relay.Admission;

namespace Portal.Relay.Settlement;

/// <summary>
/// One finished request, waiting to be written: its usage record (without the plan/wallet split, which the writer
/// decides under the wallet's row lock) and what admission held for it.
/// </summary>
internal sealed class SettlementItem
{
    public required UsageRecord Record { get; init; }

    public required TenantAccount Account { get; init; }

    /// <summary>The cost at the prices of admission (the record's cost may end lower only by a write-off at the wallet's floor).</summary>
    public required long Cost { get; init; }

    /// <summary>The cost outgrew the hold and the lease could not cover it all.</summary>
    public required bool Overdraft { get; init; }

    /// <summary>The part of the cost taken from this replica's lease (Reserved and the lease row shrink by it).</summary>
    public required long LeasePart { get; init; }

    /// <summary>The key-budget hold to give back on <c>api_key_spend</c> (0 for keys without a budget).</summary>
    public required long KeyBudgetHold { get; init; }

    /// <summary>yyyyMM (Asia/Shanghai) of admission: the <c>api_key_spend</c> row the hold was taken on.</summary>
    public required int Month { get; init; }
}
