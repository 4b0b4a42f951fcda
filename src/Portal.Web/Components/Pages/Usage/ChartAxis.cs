namespace Portal.Web.Components.Pages.Usage;

/// <summary>
/// A y-axis for a bar chart whose highest bar is <c>highest</c>: about five "nice" ticks (1, 2 or 5 × 10ⁿ).
/// MudBlazor's tick spacing is a whole number, so values below 1 are plotted multiplied by <see cref="Factor"/>
/// and the axis labels divide it back out.
/// </summary>
public readonly record struct ChartAxis(int Tick, double Factor, string Format)
{
    public static ChartAxis For(double highest)
    {
        if (!(highest > 0) || double.IsInfinity(highest)) return new ChartAxis(1, 1, "0.##");
        var raw = highest / 5;
        var exponent = (int)Math.Floor(Math.Log10(raw));
        var fraction = raw / Math.Pow(10, exponent);
        var nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        if (nice == 10) (nice, exponent) = (1, exponent + 1);
        if (exponent >= 0) return new ChartAxis(checked((int)(nice * Math.Pow(10, exponent))), 1, "#,0");
        var decimals = -exponent;
        return new ChartAxis(nice, Math.Pow(10, decimals), "0." + new string('0', decimals));
    }
}
