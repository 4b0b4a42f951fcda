using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.UnitTests.Web;

/// <summary>
/// Every enum of Portal.Core and Portal.Relay (found by reflection, so enums added later are caught) and every audit
/// action code written in the source has a readable English text and a zh-CN translation.
/// </summary>
public sealed partial class LocalizationCompletenessTests
{
    /// <summary>Enums that never reach a person: configuration switches, wire protocols, internal outcomes.</summary>
    private static readonly HashSet<string> NotShown =
    [
        "DatabaseProvider", "StorageProvider", "AlipayMode", "AlipayTradeStatus", "SimulatorTradeStatus", "DocumentType", "StatementFormat",
        "TokenEncoding", "RenewalOutcome", "PlanCreditPot", "AttemptKind", "UpstreamEndpoint", "HoldOutcome",
        "ModelTokenizer", "WechatPayMode", "RailTradeState", "AvailabilityOutcome",
        // The relay's canonical chat model: wire protocol, never a label.
        "ResponseFormatKind", "FinishReason", "ChatRole", "ToolChoiceKind",
        // What a request uses, checked against the model's flags: named in the API error, in its protocol's (English) words.
        "RequestFeatures",
    ];

    private static readonly IStringLocalizer Chinese = ChineseLocalizer();

    public static TheoryData<string> ShownEnums()
    {
        var data = new TheoryData<string>();
        foreach (var type in ShownEnumTypes()) data.Add(type.FullName!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShownEnums))]
    public void Every_member_of_a_shown_enum_reads_well_in_English_and_has_a_Chinese_translation(string enumName)
    {
        var type = ShownEnumTypes().Single(t => t.FullName == enumName);
        var problems = new List<string>();
        foreach (Enum value in Enum.GetValues(type))
        {
            var key = EnumText.Key(value);
            // A compound member name (AlipayQr, TopUp) is not English: it needs [EnumText("Alipay QR code")].
            if (key == value.ToString() && CompoundName().IsMatch(key)) problems.Add($"{value}: needs [EnumText]");
            if (Chinese[key].ResourceNotFound) problems.Add($"{value}: no zh-CN translation for \"{key}\"");
        }
        Assert.True(problems.Count == 0, $"{type.Name}: {string.Join("; ", problems)}");
    }

    [Fact]
    public void Every_audit_action_code_in_the_source_has_a_name_and_the_name_a_translation()
    {
        var codes = AuditCodesInSource();
        Assert.True(codes.Count > 50, $"found only {codes.Count} audit codes: the source scan is broken");
        var unnamed = codes.Where(c => !AuditActions.Names.ContainsKey(c)).ToList();
        Assert.True(unnamed.Count == 0, "Audit codes without a name in AuditActions: " + string.Join(", ", unnamed));
        var untranslated = AuditActions.Names.Values.Where(n => Chinese[n].ResourceNotFound).ToList();
        Assert.True(untranslated.Count == 0, "Audit action names without zh-CN: " + string.Join(", ", untranslated));
    }

    [Fact]
    public void Requested_invoice_status_and_the_requested_at_column_differ_in_Chinese()
    {
        Assert.NotEqual(Chinese["Requested at"].Value, Chinese[EnumText.Key(Portal.Core.Features.Invoices.InvoiceStatus.Pending)].Value);
        Assert.DoesNotContain("时间", Chinese[EnumText.Key(Portal.Core.Features.Invoices.InvoiceStatus.Pending)].Value);
    }

    private static IEnumerable<Type> ShownEnumTypes() =>
        new[] { typeof(Portal.Core.Common.Money).Assembly, typeof(Portal.Relay.RelayFeature).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsEnum && t.IsPublic && !NotShown.Contains(t.Name))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>Audit codes are written as literals "feature.what"; the features are those passed to audit calls.</summary>
    private static HashSet<string> AuditCodesInSource()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.EndsWith("AuditActions.cs", StringComparison.Ordinal))
            .Select(File.ReadAllText).ToList();
        var features = files.SelectMany(t => AuditCall().Matches(t)).Select(m => m.Groups[1].Value).ToHashSet();
        return files.SelectMany(t => CodeLiteral().Matches(t)).Select(m => m.Value.Trim('"'))
            .Where(c => features.Contains(c[..c.IndexOf('.', StringComparison.Ordinal)])).ToHashSet();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return dir.FullName;
        throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    private static IStringLocalizer ChineseLocalizer()
    {
        var services = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider();
        var localizer = services.GetRequiredService<IStringLocalizer<SharedResource>>();
        return new FixedCulture(localizer, CultureInfo.GetCultureInfo("zh-CN"));
    }

    /// <summary>Looks keys up in one culture whatever the test thread's culture is.</summary>
    private sealed class FixedCulture(IStringLocalizer inner, CultureInfo culture) : IStringLocalizer
    {
        public LocalizedString this[string name] => In(() => inner[name]);
        public LocalizedString this[string name, params object[] arguments] => In(() => inner[name, arguments]);
        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => In(() => inner.GetAllStrings(includeParentCultures).ToList());

        private T In<T>(Func<T> read)
        {
            var saved = CultureInfo.CurrentUICulture;
            CultureInfo.CurrentUICulture = culture;
            try { return read(); }
            finally { CultureInfo.CurrentUICulture = saved; }
        }
    }

    [GeneratedRegex("^[A-Z][a-z0-9]+[A-Z]")]
    private static partial Regex CompoundName();

    [GeneratedRegex("""(?:audit\.Add\(\s*db,\s*|RecordAsync\(\s*)"([a-z_]+)\.""")]
    private static partial Regex AuditCall();

    // File names ("members.json", "usage.csv") have the shape of a code but are not one.
    [GeneratedRegex("\"[a-z_]+\\.(?!(?:json|csv|pdf|zip)\")[a-z0-9_]+\"")]
    private static partial Regex CodeLiteral();
}
