using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.DataProtection;

/// <summary>What the relay does with personal information it finds in a request (DESIGN §10).</summary>
public enum PiiHandling
{
    /// <summary>Nothing is scanned: the body goes as it came.</summary>
    [EnumText("Off")]
    Off,

    /// <summary>Each finding is replaced by a typed placeholder (<c>[手机号_1]</c>) before the body leaves the platform.</summary>
    [EnumText("Mask")]
    Mask,

    /// <summary>A request with findings is refused (400, naming the kinds, never the values).</summary>
    [EnumText("Block")]
    Block,
}

/// <summary>Which requests <see cref="PiiHandling"/> applies to.</summary>
public enum PiiScope
{
    [EnumText("Every channel")]
    AllChannels,

    [EnumText("Cross-border channels only")]
    CrossBorderOnly,
}

/// <summary>
/// A tenant's data policy for the relay: its default (<see cref="ApiKeyId"/> null, at most one per tenant) or one key's
/// override (at most one per key), which replaces the default for that key entirely. No row = everything off.
/// </summary>
public sealed class DataPolicy : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Null = the tenant's default; otherwise the key this override applies to.</summary>
    public Guid? ApiKeyId { get; set; }

    public PiiHandling Pii { get; set; }

    public PiiScope PiiScope { get; set; }

    /// <summary>Masked values are put back into the answer (as if every request sent <c>X-Portal-Pii-Restore: true</c>).</summary>
    public bool RestoreInAnswers { get; set; }

    /// <summary>Requests may only use domestic channels (routing and failover); a model without one is refused with 403.</summary>
    public bool NoCrossBorder { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The kinds of personal information the relay detects. Names are stored (usage records), so never rename one.</summary>
public enum PiiKind
{
    /// <summary>身份证号: 18 characters, GB 11643 check digit.</summary>
    [EnumText("ID card number")]
    IdCard,

    /// <summary>Mainland mobile number, 11 digits starting 1[3-9], optionally +86.</summary>
    [EnumText("Mobile number")]
    Mobile,

    /// <summary>Bank card number, 16–19 digits passing Luhn.</summary>
    [EnumText("Bank card number")]
    BankCard,

    [EnumText("Email address")]
    Email,

    /// <summary>统一社会信用代码: 18 characters, GB 32100 check character.</summary>
    [EnumText("Unified social credit code")]
    CreditCode,

    /// <summary>Chinese passport number (E/G/D/S/P + 8 digits, or EA12345678-style).</summary>
    [EnumText("Passport number")]
    Passport,

    [EnumText("IP address")]
    IpAddress,

    /// <summary>Landline: 0 + area code + 7–8 digits, with a separator after the area code.</summary>
    [EnumText("Landline number")]
    Landline,
}

public static class PiiKinds
{
    public static readonly PiiKind[] All = Enum.GetValues<PiiKind>();

    /// <summary>The placeholder label (<c>[手机号_1]</c>); Chinese in every UI language because it goes to the model.</summary>
    public static string Label(this PiiKind kind) => kind switch
    {
        PiiKind.IdCard => "身份证号",
        PiiKind.Mobile => "手机号",
        PiiKind.BankCard => "银行卡号",
        PiiKind.Email => "邮箱",
        PiiKind.CreditCode => "信用代码",
        PiiKind.Passport => "护照号",
        PiiKind.IpAddress => "IP地址",
        PiiKind.Landline => "座机号",
        _ => kind.ToString(),
    };
}

/// <summary>
/// How many findings of each kind a request carried: the only trace of personal information the platform keeps
/// (on the usage record, as <c>Mobile:1,Email:2</c>). Never a value.
/// </summary>
public readonly record struct PiiCounts
{
    private readonly int[]? _counts;

    private PiiCounts(int[] counts) => _counts = counts;

    public bool IsEmpty => _counts is null || Array.TrueForAll(_counts, c => c == 0);

    public int this[PiiKind kind] => _counts?[(int)kind] ?? 0;

    public int Total => _counts?.Sum() ?? 0;

    public IEnumerable<(PiiKind Kind, int Count)> Entries()
    {
        if (_counts is null) yield break;
        for (var i = 0; i < _counts.Length; i++)
            if (_counts[i] > 0) yield return ((PiiKind)i, _counts[i]);
    }

    public static PiiCounts From(IEnumerable<(PiiKind Kind, int Count)> entries)
    {
        var counts = new int[PiiKinds.All.Length];
        foreach (var (kind, count) in entries) counts[(int)kind] += count;
        return new PiiCounts(counts);
    }

    /// <summary><c>Mobile:1,Email:2</c>, or null when there is nothing.</summary>
    public string? Encode() => IsEmpty ? null : string.Join(",", Entries().Select(e => $"{e.Kind}:{e.Count}"));

    /// <summary>Reads <see cref="Encode"/>'s form; unknown or malformed parts are skipped.</summary>
    public static PiiCounts Decode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return default;
        var entries = new List<(PiiKind, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':');
            if (colon > 0 && Enum.TryParse<PiiKind>(part[..colon], out var kind) && Enum.IsDefined(kind)
                && int.TryParse(part.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count))
                entries.Add((kind, count));
        }

        return From(entries);
    }
}
