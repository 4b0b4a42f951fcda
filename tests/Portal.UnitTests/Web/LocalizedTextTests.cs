using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.UnitTests.Web;

public sealed class LocalizedTextTests
{
    private static readonly IStringLocalizer L = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider()
        .GetRequiredService<IStringLocalizer<SharedResource>>();

    [Fact]
    public void A_memo_stored_once_reads_in_each_readers_language()
    {
        var memo = LocalizedText.Encode("Plan {0} ({1} – {2})", "基础套餐", "2026-12-01 10:00", "2027-01-01 10:00");

        Assert.Equal("套餐 基础套餐（2026-12-01 10:00 – 2027-01-01 10:00）", In("zh-CN", () => LocalizedText.Render(L, memo)));
        Assert.Equal("Plan 基础套餐 (2026-12-01 10:00 – 2027-01-01 10:00)", In("en", () => LocalizedText.Render(L, memo)));
        Assert.Equal("Plan 基础套餐 (2026-12-01 10:00 – 2027-01-01 10:00)", LocalizedText.English(memo));
    }

    [Theory]
    [InlineData("对公转账 AB12-CD34")]      // stored before memos were structured
    [InlineData("Goodwill credit, ticket 7")] // typed by an operator
    [InlineData("{\"t\": broken")]
    public void Plain_and_old_memos_are_shown_as_they_are(string stored)
    {
        Assert.Equal(stored, In("zh-CN", () => LocalizedText.Render(L, stored)));
    }

    private static string In(string culture, Func<string> read)
    {
        var saved = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try { return read(); }
        finally { CultureInfo.CurrentUICulture = saved; }
    }
}
