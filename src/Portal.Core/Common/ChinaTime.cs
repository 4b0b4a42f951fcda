using System.Globalization;

namespace Portal.Core.Common;

/// <summary>Instants are stored in UTC; people in China read them in Asia/Shanghai (UTC+8, no DST).</summary>
public static class ChinaTime
{
    /// <summary>Asia/Shanghai; China has had no daylight saving since 1991, so a fixed UTC+8 is an exact fallback.</summary>
    public static readonly TimeZoneInfo Zone = FindZone();

    public static DateTimeOffset ToChina(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToChina(clock.GetUtcNow()).DateTime);

    /// <summary>Formats an instant as <c>2026-11-28 12:34</c> in Asia/Shanghai, whatever the UI language.</summary>
    public static string Format(DateTimeOffset instant, bool seconds = false) =>
        ToChina(instant).ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");
        }
    }

    public static string Format(DateTimeOffset? instant, bool seconds = false) =>
        instant is null ? "—" : Format(instant.Value, seconds);
}
