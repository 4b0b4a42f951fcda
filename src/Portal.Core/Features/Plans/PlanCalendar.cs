using Portal.Core.Common;

namespace Portal.Core.Features.Plans;

/// <summary>
/// Month arithmetic of plan periods, in the Asia/Shanghai calendar: a period lasts one calendar month, ending on the
/// same day and time of the next month, or on that month's last day when it is shorter (31 January → 28 or 29
/// February). Periods count from the subscription's anchor rather than from each other, so a subscription bought on
/// 31 January renews on 28 February and then on 31 March (not on the 28th for ever).
/// </summary>
public static class PlanCalendar
{
    /// <summary>The end of the <paramref name="months"/>-th month after <paramref name="anchor"/>.</summary>
    public static DateTimeOffset MonthsAfter(DateTimeOffset anchor, int months)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(months);
        var local = ChinaTime.ToChina(anchor);
        // DateTime.AddMonths keeps the time of day and clamps the day to the target month's length.
        var end = local.DateTime.AddMonths(months);
        return new DateTimeOffset(end, ChinaTime.Zone.GetUtcOffset(end)).ToUniversalTime();
    }

    /// <summary>Periods start on a whole second: what both databases store exactly, and what people read.</summary>
    public static DateTimeOffset WholeSecond(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>When period <paramref name="periodNo"/> of a chain anchored at <paramref name="anchor"/> (period <paramref name="anchorPeriodNo"/>) ends.</summary>
    public static DateTimeOffset PeriodEnd(DateTimeOffset anchor, int anchorPeriodNo, int periodNo) =>
        MonthsAfter(anchor, periodNo - anchorPeriodNo + 1);

    /// <summary>When period <paramref name="periodNo"/> starts: the anchor, or the end of the period before.</summary>
    public static DateTimeOffset PeriodStart(DateTimeOffset anchor, int anchorPeriodNo, int periodNo) =>
        periodNo == anchorPeriodNo ? anchor : PeriodEnd(anchor, anchorPeriodNo, periodNo - 1);

    /// <summary>
    /// What a plan saves against pay-as-you-go when all its credit is used: (credit − price) / credit, in percent,
    /// rounded down to one decimal so the catalogue never overstates it. Zero when the credit does not exceed the price.
    /// </summary>
    public static decimal SavingPercent(Money price, Money credit)
    {
        if (credit.MicroYuan <= 0 || credit <= price) return 0m;
        var permille = (credit.MicroYuan - price.MicroYuan) * 1000m / credit.MicroYuan;
        return decimal.Floor(permille) / 10m;
    }
}
