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

    [Fact]
    public void An_audit_summary_with_an_enum_reads_in_each_readers_language()
    {
        var summary = LocalizedText.Encode("Invited {0} as {1}", "li@example.test", LocalizedText.Term(Portal.Core.Features.Tenants.TenantRole.Finance));

        Assert.Equal("邀请 li@example.test 担任" + In("zh-CN", () => L.Enum(Portal.Core.Features.Tenants.TenantRole.Finance)), In("zh-CN", () => LocalizedText.Render(L, summary)));
        Assert.DoesNotContain("Finance", In("zh-CN", () => LocalizedText.Render(L, summary)));
        Assert.Equal("Invited li@example.test as Finance", In("en", () => LocalizedText.Render(L, summary)));
        Assert.Equal("Invited li@example.test as Finance", LocalizedText.English(summary));
    }

    [Fact]
    public void A_ledger_audit_summary_renders_the_memo_inside_it_in_the_readers_language()
    {
        var memo = LocalizedText.Encode("Refund {0} to Alipay {1}", "RF1", "T9");
        var summary = LocalizedText.Encode("{0} {1} → {2} [{3}] {4}", LocalizedText.Term(Portal.Core.Features.Wallet.LedgerEntryKind.Refund), "-¥5.00", "¥10.00", "refund:RF1", memo);

        var chinese = In("zh-CN", () => LocalizedText.Render(L, summary));
        Assert.Equal(In("zh-CN", () => L.Enum(Portal.Core.Features.Wallet.LedgerEntryKind.Refund)) + " -¥5.00 → ¥10.00 [refund:RF1] 退款 RF1 → 支付宝 T9", chinese);
        Assert.DoesNotContain("\"t\"", chinese);
        Assert.Equal("Refund -¥5.00 → ¥10.00 [refund:RF1] Refund RF1 to Alipay T9", LocalizedText.English(summary));
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
