using Portal.Core.Common;

namespace Portal.Core.Features.Plans;

public static class PlanErrors
{
    public static readonly Error InsufficientBalance = new("Plans.InsufficientBalance", "Your balance is too low for this plan. Top up your wallet first; nothing was charged.");
    public static readonly Error NotOnSale = new("Plans.NotOnSale", "This plan is no longer sold. Choose another plan.");
    public static readonly Error NoSubscription = new("Plans.NoSubscription", "You have no active plan.");
    public static readonly Error NotDue = new("Plans.NotDue", "This subscription is not due for renewal.");
}

public static class PlanLedgerKeys
{
    /// <summary>The ledger key of a subscription's period (<c>plan:{subscriptionId}:{periodNo}</c>): purchase is period 1, each renewal the next.</summary>
    public static string Period(Guid subscriptionId, int periodNo) => $"plan:{subscriptionId:N}:{periodNo}";
}
