using System.Globalization;
using Portal.Core.Common;

namespace Portal.Core.Features.Catalog;

/// <summary>Prices per 1,000,000 tokens as operators type and read them: yuan with up to 6 decimals.</summary>
public static class CatalogPrices
{
    /// <summary>Parses <c>"21"</c>, <c>"0.525"</c>, <c>"¥1,050.000001"</c> into micro-yuan; false for text, negatives or a 7th decimal.</summary>
    public static bool TryParse(string? text, out long microYuan)
    {
        microYuan = 0;
        if (!Money.TryParseYuan(text, out var money) || money.MicroYuan < 0 || money.MicroYuan > MaxMicroYuan) return false;
        microYuan = money.MicroYuan;
        return true;
    }

    /// <summary>¥100,000 per 1M tokens: far above any real price, low enough that token × price stays exact in a long.</summary>
    public const long MaxMicroYuan = 100_000L * Money.MicroPerYuan;

    /// <summary><c>¥21.00</c>, <c>¥0.525</c>, <c>¥0.000001</c>: at least two decimals, more only when the price has them.</summary>
    public static string Format(long microYuan)
    {
        var yuan = (decimal)microYuan / Money.MicroPerYuan;
        return "¥" + yuan.ToString("#,0.00####", CultureInfo.InvariantCulture);
    }

    /// <summary>The plain number for an edit field: <c>21</c>, <c>0.525</c>.</summary>
    public static string ToInput(long microYuan) =>
        ((decimal)microYuan / Money.MicroPerYuan).ToString("0.######", CultureInfo.InvariantCulture);
}
