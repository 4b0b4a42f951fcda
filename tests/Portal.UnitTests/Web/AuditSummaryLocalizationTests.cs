namespace Portal.UnitTests.Web;

/// <summary>
/// Audit summaries are read by tenants and operators in their own language, so every <c>audit.Add(...)</c> in src stores
/// its summary as a <c>LocalizedText.Encode(...)</c> template (directly or through a variable assigned from one), never
/// English text.
/// </summary>
public sealed class AuditSummaryLocalizationTests
{
    [Fact]
    public void Every_audit_summary_in_src_is_a_localized_text_template()
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles())
        {
            var text = File.ReadAllText(file);
            var relative = Path.GetRelativePath(RepositoryRoot(), file);
            for (var at = text.IndexOf("audit.Add(", StringComparison.Ordinal); at >= 0; at = text.IndexOf("audit.Add(", at + 1, StringComparison.Ordinal))
            {
                var summary = SummaryArgument(text, at + "audit.Add(".Length);
                if (!IsLocalized(summary, text, file))
                    offenders.Add($"{relative}:{text[..at].Count(c => c == '\n') + 1}: {summary[..Math.Min(80, summary.Length)]}");
            }
        }

        Assert.True(offenders.Count == 0, "Audit summaries that are not LocalizedText.Encode templates:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_scan_tells_a_template_from_english_text()
    {
        const string Code = """
            audit.Add(db, x ? "a.b" : "a.c", nameof(Plan), plan.Id, LocalizedText.Encode("Plan {0}", plan.Name), null);
            audit.Add(db, "a.b", nameof(Plan), plan.Id, $"{plan.Name} moved", null);
            var summary = LocalizedText.Encode("Moved {0}", plan.Name);
            audit.Add(db, "a.b", nameof(Plan), plan.Id, summary, null);
            audit.Add(db, "a.b", nameof(Plan), plan.Id, other, null);
            """;
        var summaries = Calls(Code).Select(s => IsLocalized(s, Code, "")).ToArray();

        Assert.Equal([true, false, true, false], summaries);
    }

    [Fact]
    public void A_template_too_long_for_the_column_is_kept_as_readable_english_not_cut_json()
    {
        var summary = Portal.Core.Localization.LocalizedText.Encode("{0} moved up", new string('x', 1200));

        var stored = Portal.Core.Features.Audit.AuditLog.Fit(summary);

        Assert.Equal(1000, stored.Length);
        Assert.StartsWith("xxx", stored, StringComparison.Ordinal);
        Assert.Equal(Portal.Core.Localization.LocalizedText.Encode("{0} moved up", "p"), Portal.Core.Features.Audit.AuditLog.Fit(Portal.Core.Localization.LocalizedText.Encode("{0} moved up", "p")));
    }

    private static IEnumerable<string> Calls(string text)
    {
        for (var at = text.IndexOf("audit.Add(", StringComparison.Ordinal); at >= 0; at = text.IndexOf("audit.Add(", at + 1, StringComparison.Ordinal))
            yield return SummaryArgument(text, at + "audit.Add(".Length);
    }

    /// <summary>A summary is localized when it is an Encode call, or a name assigned from one in the same file (a
    /// parameter counts when every caller in src passes an Encode call).</summary>
    private static bool IsLocalized(string summary, string fileText, string file)
    {
        if (summary.StartsWith("LocalizedText.Encode(", StringComparison.Ordinal)) return true;
        if (!System.Text.RegularExpressions.Regex.IsMatch(summary, @"^[A-Za-z_]\w*$")) return false;
        if (System.Text.RegularExpressions.Regex.IsMatch(fileText, $@"\b{summary}\s*=\s*LocalizedText\.Encode\(")) return true;
        return file.EndsWith("SecurityAudit.cs", StringComparison.Ordinal) && SecurityCallsAreLocalized();
    }

    private static bool SecurityCallsAreLocalized()
    {
        var calls = SourceFiles()
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"SecurityAudit\.RecordAsync\([^,]+,[^,]+,\s*(\S+?)\(").Select(m => m.Groups[1].Value))
            .ToList();
        return calls.Count > 0 && calls.All(c => c == "LocalizedText.Encode");
    }

    /// <summary>The fifth argument (the summary) of the call whose arguments start at <paramref name="start"/>.</summary>
    private static string SummaryArgument(string text, int start)
    {
        var depth = 0;
        var commas = 0;
        var i = start;
        for (; i < text.Length && commas < 4; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                    if (text[i] == '\\') i++;
            }
            else if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == ',' && depth == 0) commas++;
        }

        var rest = text[i..].TrimStart();
        var end = 0;
        depth = 0;
        for (; end < rest.Length; end++)
        {
            var c = rest[end];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            if (depth < 0 || (c == ',' && depth == 0) || c == '"') break;
        }

        var head = rest[..end].Trim();
        return head.Length > 0 ? head : rest[..Math.Min(40, rest.Length)];
    }

    private static IEnumerable<string> SourceFiles()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        return Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return dir.FullName;
        throw new InvalidOperationException("Portal.sln not found above the test binaries.");
    }
}
