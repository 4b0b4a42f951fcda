using Portal.Core.Common;

namespace Portal.Relay.Billing;

/// <summary>How one request's cost is paid: <paramref name="PlanPart"/> from plan credit (套餐), the rest from the wallet.</summary>
public readonly record struct ChargeSplit(Money PlanPart, Money WalletPart)
{
    /// <summary>The whole cost, <c>PlanPart + WalletPart</c>.</summary>
    public Money Total => PlanPart + WalletPart;
}
