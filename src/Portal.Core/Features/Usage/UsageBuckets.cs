using Portal.Core.Common;

namespace Portal.Core.Features.Usage;

/// <summary>
/// Roll-up bucket keys: an hour as yyyyMMddHH and a day as yyyyMMdd, both in Asia/Shanghai (UTC+8, no daylight
/// saving), so a request at 23:59:59 Beijing time counts on that day and one at 00:00:00 on the next.
/// </summary>
public static class UsageBuckets
{
    public static int HourOf(DateTimeOffset instant)
    {
        var local = ChinaTime.ToChina(instant);
        return (local.Year * 10000 + local.Month * 100 + local.Day) * 100 + local.Hour;
    }

    public static int DayOf(DateTimeOffset instant) => DayKey(DateOnly.FromDateTime(ChinaTime.ToChina(instant).DateTime));

    public static int DayKey(DateOnly day) => day.Year * 10000 + day.Month * 100 + day.Day;

    public static int HourKey(DateOnly day, int hour) => DayKey(day) * 100 + hour;

    public static DateOnly DayFromKey(int day) => new(day / 10000, day / 100 % 100, day % 100);

    /// <summary>The first instant of a Beijing day.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), ChinaTime.Zone.BaseUtcOffset);

    /// <summary>The first and last day (inclusive) of the Beijing month holding <paramref name="day"/>.</summary>
    public static (DateOnly First, DateOnly Last) MonthOf(DateOnly day)
    {
        var first = new DateOnly(day.Year, day.Month, 1);
        return (first, first.AddMonths(1).AddDays(-1));
    }
}
