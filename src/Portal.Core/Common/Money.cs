using System.Globalization;

namespace Portal.Core.Common;

/// <summary>
/// An amount of CNY as a whole number of micro-yuan (1 CNY = 1,000,000). Integer arithmetic only, so that
/// atomic SQL such as <c>balance = balance - @x</c> is exact on every database. Formatting happens at the edge.
/// </summary>
public readonly record struct Money(long MicroYuan) : IComparable<Money>
{
    public const long MicroPerYuan = 1_000_000;
    public const long MicroPerFen = 10_000;

    public static readonly Money Zero = new(0);

    public static Money FromYuan(long yuan) => new(checked(yuan * MicroPerYuan));

    public static Money FromFen(long fen) => new(checked(fen * MicroPerFen));

    /// <summary>Parses a yuan amount typed by a person (<c>"1,234.56"</c>, <c>"¥88"</c>); at most 6 decimals.</summary>
    public static bool TryParseYuan(string? text, out Money money)
    {
        money = Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().TrimStart('¥', '￥').Replace(",", "", StringComparison.Ordinal).Trim();
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d)) return false;
        var micro = d * MicroPerYuan;
        if (micro != decimal.Truncate(micro) || micro > long.MaxValue || micro < long.MinValue) return false;
        money = new Money((long)micro);
        return true;
    }

    public bool IsWholeFen => MicroYuan % MicroPerFen == 0;

    public static Money operator +(Money a, Money b) => new(checked(a.MicroYuan + b.MicroYuan));

    public static Money operator -(Money a, Money b) => new(checked(a.MicroYuan - b.MicroYuan));

    public static Money operator -(Money a) => new(checked(-a.MicroYuan));

    public static bool operator <(Money a, Money b) => a.MicroYuan < b.MicroYuan;

    public static bool operator >(Money a, Money b) => a.MicroYuan > b.MicroYuan;

    public static bool operator <=(Money a, Money b) => a.MicroYuan <= b.MicroYuan;

    public static bool operator >=(Money a, Money b) => a.MicroYuan >= b.MicroYuan;

    public int CompareTo(Money other) => MicroYuan.CompareTo(other.MicroYuan);

    /// <summary><c>¥1,234.56</c>: rounded half away from zero to the fen for display only.</summary>
    public string ToDisplay() => Format(2);

    /// <summary>Display with more decimals, for per-request costs (<c>¥0.000315</c>).</summary>
    public string ToDisplay(int decimals) => Format(decimals);

    public override string ToString() => Format(2);

    private string Format(int decimals)
    {
        var yuan = Math.Round((decimal)MicroYuan / MicroPerYuan, decimals, MidpointRounding.AwayFromZero);
        var body = Math.Abs(yuan).ToString("#,0." + new string('0', decimals), CultureInfo.InvariantCulture);
        return (yuan < 0 ? "-¥" : "¥") + body;
    }
}
