using System.Globalization;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Alipay's "yyyy-MM-dd HH:mm:ss" timestamps, which are always Beijing time (GMT+8) with no offset
/// written. Formatting the host's local time instead is a classic bug on UTC servers
/// (rejected as isv.invalid-timestamp).
/// </summary>
public static class AlipayTime
{
    /// <summary>China has no daylight saving, so a fixed offset is exact.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    private const string Pattern = "yyyy-MM-dd HH:mm:ss";

    /// <summary>Formats an instant as Beijing wall-clock time.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.ToOffset(Offset).ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>Parses a Beijing wall-clock time into an instant.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (!DateTime.TryParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        instant = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), Offset);
        return true;
    }
}
