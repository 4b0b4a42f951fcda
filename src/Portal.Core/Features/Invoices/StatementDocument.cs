using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

/// <summary>One model's usage in the month.</summary>
/// <param name="Model">The model id as billed, e.g. <c>deepseek-chat</c>.</param>
/// <param name="Requests">Billed requests.</param>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="Cost">What the usage cost at list price, before plan credit.</param>
/// <param name="PlanCreditUsed">The part of <paramref name="Cost"/> paid from plan credit; the rest came from the wallet.</param>
public sealed record StatementUsageLine(string Model, long Requests, long InputTokens, long OutputTokens, Money Cost, Money PlanCreditUsed)
{
    /// <summary>The part of the cost taken from the wallet balance.</summary>
    public Money WalletCharged => Cost - PlanCreditUsed;
}

/// <summary>A service credit paid into the wallet this month: an SLA credit or a volume rebate, for the month it names.</summary>
/// <param name="Label">As printed, e.g. <c>SLA 补偿（2026-11）</c> or <c>用量返利（2026-11）</c>.</param>
/// <param name="At">When it was credited.</param>
/// <param name="Amount">Credited (positive).</param>
public sealed record StatementCredit(string Label, DateTimeOffset At, Money Amount);

/// <summary>
/// A tenant's monthly statement (对账单) of its wallet balance. All movements are magnitudes (≥ 0) in the direction
/// their name says, except <see cref="Adjustments"/>, which is signed. Plan credit is not wallet money: usage paid from
/// it and credit that expired unused are reported but do not move the balance (the wallet paid when the plan was bought).
/// </summary>
/// <param name="TenantName">The tenant's company name.</param>
/// <param name="TenantId">The tenant's account id as shown in the portal.</param>
/// <param name="Year">Statement year (China time).</param>
/// <param name="Month">Statement month, 1–12.</param>
/// <param name="OpeningBalance">期初余额 at 00:00 on the 1st, China time.</param>
/// <param name="TopUps">充值: money paid in.</param>
/// <param name="Refunds">退款: money paid back out to the tenant.</param>
/// <param name="Adjustments">调整: manual corrections by staff; positive credits the tenant.</param>
/// <param name="PlanPurchases">套餐购买: plans paid from the wallet.</param>
/// <param name="Usage">用量 by model.</param>
/// <param name="ExpiredPlanCredit">套餐额度过期: plan credit that lapsed unused this month (information only).</param>
/// <param name="ClosingBalance">期末余额 at 00:00 on the 1st of the next month; must equal <see cref="ComputedClosingBalance"/>.</param>
/// <param name="GeneratedAt">When the statement was produced.</param>
/// <param name="PlatformName">Named in the title and footer.</param>
/// <param name="Credits">SLA credits and volume rebates credited this month (服务补偿与返利), each for the month it names.</param>
public sealed record StatementDocument(
    string TenantName,
    string TenantId,
    int Year,
    int Month,
    Money OpeningBalance,
    Money TopUps,
    Money Refunds,
    Money Adjustments,
    Money PlanPurchases,
    IReadOnlyList<StatementUsageLine> Usage,
    Money ExpiredPlanCredit,
    Money ClosingBalance,
    DateTimeOffset GeneratedAt,
    string PlatformName,
    IReadOnlyList<StatementCredit>? Credits = null)
{
    /// <summary>SLA credits and volume rebates of the month.</summary>
    public IReadOnlyList<StatementCredit> ServiceCredits => Credits ?? [];

    /// <summary>Σ <see cref="ServiceCredits"/>.</summary>
    public Money ServiceCreditsTotal => ServiceCredits.Aggregate(Money.Zero, (sum, c) => sum + c.Amount);

    /// <summary>Total list-price cost of the month's usage.</summary>
    public Money UsageCost => Usage.Aggregate(Money.Zero, (sum, line) => sum + line.Cost);

    /// <summary>Usage paid from plan credit.</summary>
    public Money PlanCreditUsed => Usage.Aggregate(Money.Zero, (sum, line) => sum + line.PlanCreditUsed);

    /// <summary>Usage paid from the wallet: 用量扣费.</summary>
    public Money UsageCharged => UsageCost - PlanCreditUsed;

    /// <summary>期初 + 充值 − 退款 ± 调整 + 补偿与返利 − 套餐购买 − 用量扣费.</summary>
    public Money ComputedClosingBalance => OpeningBalance + TopUps - Refunds + Adjustments + ServiceCreditsTotal - PlanPurchases - UsageCharged;

    /// <summary>The first day of the statement month.</summary>
    public DateOnly PeriodStart => new(Year, Month, 1);

    /// <summary>The last day of the statement month.</summary>
    public DateOnly PeriodEnd => PeriodStart.AddMonths(1).AddDays(-1);

    /// <summary>
    /// Throws unless the statement adds up. The caller computed the closing balance from the ledger, so a mismatch
    /// means the ledger and the statement query disagree: a bug to surface, not to print.
    /// </summary>
    /// <exception cref="InvalidOperationException">The closing balance is not opening + movements, or a field is invalid.</exception>
    public void EnsureBalanced()
    {
        Require(!string.IsNullOrWhiteSpace(TenantName), "the tenant name is empty");
        Require(Month is >= 1 and <= 12 && Year is >= 2000 and <= 9999, $"{Year}-{Month} is not a statement month");
        Require(TopUps >= Money.Zero && Refunds >= Money.Zero && PlanPurchases >= Money.Zero && ExpiredPlanCredit >= Money.Zero,
            "top-ups, refunds, plan purchases and expired credit are magnitudes and cannot be negative");
        Require(ServiceCredits.All(c => c.Amount > Money.Zero && !string.IsNullOrWhiteSpace(c.Label)), "a service credit is not a positive, labelled amount");
        foreach (var line in Usage)
        {
            Require(!string.IsNullOrWhiteSpace(line.Model), "a usage line has no model");
            Require(line.Requests >= 0 && line.InputTokens >= 0 && line.OutputTokens >= 0, $"usage of {line.Model} has a negative count");
            Require(line.PlanCreditUsed >= Money.Zero && line.PlanCreditUsed <= line.Cost, $"usage of {line.Model} uses more plan credit than it cost");
        }

        Require(ClosingBalance == ComputedClosingBalance,
            $"closing balance {ClosingBalance.ToDisplay(6)} is not opening + movements = {ComputedClosingBalance.ToDisplay(6)}");
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition) throw new InvalidOperationException($"Statement does not add up: {problem}.");
    }
}
