using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

/// <summary>Statement months are Asia/Shanghai calendar months: from 00:00 on the 1st, China time, to 00:00 on the next 1st.</summary>
public static class StatementMonths
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public static bool IsValid(int year, int month) => year is >= 2000 and <= 9999 && month is >= 1 and <= 12;

    /// <summary>The instant the month starts, in UTC (China has no daylight saving, so UTC+8 is exact).</summary>
    public static DateTimeOffset Start(int year, int month) => new DateTimeOffset(year, month, 1, 0, 0, 0, ChinaOffset).ToUniversalTime();

    /// <summary>The instant the next month starts, in UTC.</summary>
    public static DateTimeOffset End(int year, int month) => new DateTimeOffset(year, month, 1, 0, 0, 0, ChinaOffset).AddMonths(1).ToUniversalTime();

    /// <summary>The China calendar month that contains <paramref name="instant"/>.</summary>
    public static (int Year, int Month) Of(DateTimeOffset instant)
    {
        var china = ChinaTime.ToChina(instant);
        return (china.Year, china.Month);
    }

    /// <summary>The month before the one containing <paramref name="instant"/>.</summary>
    public static (int Year, int Month) Previous(DateTimeOffset instant)
    {
        var (year, month) = Of(instant);
        return month == 1 ? (year - 1, 12) : (year, month - 1);
    }

    /// <summary>Whether the month has ended at <paramref name="now"/>: only ended months get a statement.</summary>
    public static bool IsComplete(int year, int month, DateTimeOffset now) => End(year, month) <= now;

    /// <summary>Completed months from the one containing <paramref name="since"/> up to last month, newest first.</summary>
    public static IReadOnlyList<(int Year, int Month)> CompletedSince(DateTimeOffset since, DateTimeOffset now, int limit = 36)
    {
        var list = new List<(int, int)>();
        var (year, month) = Previous(now);
        var first = Of(since);
        while (list.Count < limit && (year > first.Year || (year == first.Year && month >= first.Month)))
        {
            list.Add((year, month));
            (year, month) = month == 1 ? (year - 1, 12) : (year, month - 1);
        }

        return list;
    }
}
