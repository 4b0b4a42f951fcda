using System.Globalization;

namespace Portal.Core.Common;

/// <summary>Instants are stored in UTC; people in China read them in Asia/Shanghai (UTC+8, no DST).</summary>
public static class ChinaTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static DateTimeOffset ToChina(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToChina(clock.GetUtcNow()).DateTime);

    /// <summary>Formats an instant as <c>2026-11-28 12:34</c> in Asia/Shanghai, whatever the UI language.</summary>
    public static string Format(DateTimeOffset instant, bool seconds = false) =>
        ToChina(instant).ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset? instant, bool seconds = false) =>
        instant is null ? "—" : Format(instant.Value, seconds);
}
