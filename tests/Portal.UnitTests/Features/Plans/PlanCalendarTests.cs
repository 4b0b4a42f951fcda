using Portal.Core.Common;
using Portal.Core.Features.Plans;

namespace Portal.UnitTests.Features.Plans;

public class PlanCalendarTests
{
    private static DateTimeOffset Beijing(int year, int month, int day, int hour = 10, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(2027, 28)]
    [InlineData(2028, 29)]
    public void A_period_starting_on_31_January_ends_on_the_last_day_of_February(int year, int lastDay)
    {
        Assert.Equal(Beijing(year, 2, lastDay), PlanCalendar.MonthsAfter(Beijing(year, 1, 31), 1));
    }

    [Fact]
    public void A_period_ends_on_the_same_day_and_time_next_month()
    {
        Assert.Equal(Beijing(2026, 12, 15, 14, 23), PlanCalendar.MonthsAfter(Beijing(2026, 11, 15, 14, 23), 1));
        Assert.Equal(Beijing(2027, 1, 30), PlanCalendar.MonthsAfter(Beijing(2026, 12, 30), 1));
        Assert.Equal(Beijing(2026, 5, 30), PlanCalendar.MonthsAfter(Beijing(2026, 4, 30), 1));
    }

    [Fact]
    public void Periods_count_from_the_anchor_so_the_day_comes_back_after_a_short_month()
    {
        var anchor = Beijing(2027, 1, 31);
        Assert.Equal(Beijing(2027, 2, 28), PlanCalendar.PeriodEnd(anchor, 1, 1));
        Assert.Equal(Beijing(2027, 3, 31), PlanCalendar.PeriodEnd(anchor, 1, 2));
        Assert.Equal(Beijing(2027, 4, 30), PlanCalendar.PeriodEnd(anchor, 1, 3));
        Assert.Equal(anchor, PlanCalendar.PeriodStart(anchor, 1, 1));
        Assert.Equal(Beijing(2027, 2, 28), PlanCalendar.PeriodStart(anchor, 1, 2));
        // A chain restarted at period 5 counts from there.
        Assert.Equal(Beijing(2027, 6, 30), PlanCalendar.PeriodEnd(Beijing(2027, 5, 30), 5, 5));
    }

    [Fact]
    public void Months_are_counted_in_the_Beijing_calendar_not_in_UTC()
    {
        // 31 January 20:00 UTC is already 1 February 04:00 in Beijing: the period ends on 1 March, Beijing time.
        var start = new DateTimeOffset(2027, 1, 31, 20, 0, 0, TimeSpan.Zero);
        var end = PlanCalendar.MonthsAfter(start, 1);
        Assert.Equal(Beijing(2027, 3, 1, 4), end);
        Assert.Equal(TimeSpan.Zero, end.Offset);
        // 31 January 23:30 Beijing is still January there (15:30 UTC): clamped to 28 February.
        Assert.Equal(Beijing(2027, 2, 28, 23, 30), PlanCalendar.MonthsAfter(Beijing(2027, 1, 31, 23, 30).ToUniversalTime(), 1));
    }

    [Fact]
    public void Whole_second_drops_the_fraction()
    {
        var instant = new DateTimeOffset(2026, 11, 28, 7, 46, 51, TimeSpan.Zero).AddTicks(5_974_404);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 7, 46, 51, TimeSpan.Zero), PlanCalendar.WholeSecond(instant));
    }

    [Theory]
    [InlineData(3_000, 3_900, "23.0")]
    [InlineData(10_000, 14_000, "28.5")]
    [InlineData(1_000, 1_000, "0")]
    [InlineData(1_000, 900, "0")]
    public void Saving_against_pay_as_you_go_is_rounded_down_to_one_decimal(long price, long credit, string expected)
    {
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), PlanCalendar.SavingPercent(Money.FromYuan(price), Money.FromYuan(credit)));
    }
}
