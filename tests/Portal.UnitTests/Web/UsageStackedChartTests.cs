using System.Globalization;
using Bunit;
using Portal.Core.Features.Usage;
using Portal.Web.Components.Pages.Usage;

namespace Portal.UnitTests.Web;

public sealed class UsageStackedChartTests : WebComponentTest
{
    private static readonly List<DateOnly> Days = Enumerable.Range(0, 30).Select(i => new DateOnly(2026, 11, 8).AddDays(i)).ToList();

    [Theory]
    [InlineData(30_000L, "0.03")]               // ¥0.03: was under 1 px on a fixed 0–20 axis
    [InlineData(2_150_000_000L, "2,500")]      // ¥2,150 still fits
    public void Todays_bar_fills_most_of_the_plot_whatever_its_size(long todayMicroYuan, string topLabel)
    {
        var values = new long[30];
        values[^1] = todayMicroYuan;
        var chart = Render<UsageStackedChart>(p => p
            .Add(c => c.Series, new UsageSeries(Days, [("gpt-4o", values)]))
            .Add(c => c.Scale, v => v / 1_000_000d));

        var bars = chart.FindAll("path.mud-chart-bar").Select(BarHeight).ToList();
        Assert.True(bars[^1] > 150, $"today's bar is {bars[^1]} px tall");
        Assert.All(bars.SkipLast(1), h => Assert.True(h < 1));
        var axisLabels = chart.FindAll("text").Select(t => t.TextContent).ToList();
        Assert.Contains(topLabel, axisLabels);
    }

    private static double BarHeight(AngleSharp.Dom.IElement bar)
    {
        // d="M x y0 L x y1"
        var parts = bar.GetAttribute("d")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Math.Abs(double.Parse(parts[2], CultureInfo.InvariantCulture) - double.Parse(parts[5], CultureInfo.InvariantCulture));
    }
}
