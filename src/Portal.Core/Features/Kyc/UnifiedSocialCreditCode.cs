using System.Collections.Frozen;
using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// The 18-character unified social credit code (统一社会信用代码) of GB 32100-2015:
/// registration authority (1), organisation category (1), region code of the registering
/// authority (6), subject identifier (9, the former organisation code) and a check character (1).
/// </summary>
/// <remarks>
/// Passing these checks proves the code is well formed, not that the organisation exists; that
/// is for the manual review of the licence.
/// </remarks>
public static class UnifiedSocialCreditCode
{
    public const int Length = 18;

    /// <summary>The 31 characters of the code, in check-value order: I, O, S, V and Z are never used.</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    // GB 32100-2015 Appendix A: registration authority code → its organisation category codes.
    // Categories assigned by later notices (e.g. for residents' and villagers' committees) are
    // not in the standard's table and are refused until added here.
    private static readonly FrozenDictionary<char, string> CategoriesByAuthority = new Dictionary<char, string>
    {
        ['1'] = "1239",   // 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
        ['2'] = "19",     // 外交: 外国常驻新闻机构, 其他
        ['3'] = "123459", // 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
        ['4'] = "19",     // 文化: 外国在华文化中心, 其他
        ['5'] = "1239",   // 民政: 社会团体, 民办非企业单位, 基金会, 其他
        ['6'] = "129",    // 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地（大陆）代表机构, 其他
        ['7'] = "129",    // 宗教: 宗教活动场所, 宗教院校, 其他
        ['8'] = "19",     // 工会: 基层工会, 其他
        ['9'] = "123",    // 工商: 企业, 个体工商户, 农民专业合作社
        ['A'] = "19",     // 中央军委改革和编制办公室: 军队事业单位, 其他
        ['N'] = "1239",   // 农业: 组级, 村级, 乡镇级集体经济组织, 其他
        ['Y'] = "1",      // 其他: not subdivided, always 1
    }.ToFrozenDictionary();

    // Region codes of registering authorities, for demo data only.
    private static readonly string[] DemoRegionCodes =
    [
        "110105", "110108", "310104", "310115", "440106", "440305", "330106", "320505",
        "510107", "420111", "350102", "370202", "500103", "610113", "120116", "210202",
    ];

    /// <summary>Trims, removes inner white space and upper-cases, so "9135 0100 m000..." is accepted.</summary>
    public static string Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return string.Empty;
        }

        return string.Concat(value.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
    }

    /// <summary>
    /// Checks a code after <see cref="Normalize"/>; returns the first problem found, or null when
    /// the code is valid. Messages come from <paramref name="messages"/> (English by default).
    /// </summary>
    public static Error? Validate(string? value, IKycMessages? messages = null)
    {
        messages ??= KycMessages.English;
        var code = Normalize(value);

        if (code.Length == 0)
        {
            return new Error(KycErrorCodes.CreditCodeRequired, messages.CreditCodeRequired());
        }

        if (code.Length != Length)
        {
            return new Error(KycErrorCodes.CreditCodeLength, messages.CreditCodeLength());
        }

        if (!code.All(c => Alphabet.Contains(c)))
        {
            return new Error(KycErrorCodes.CreditCodeAlphabet, messages.CreditCodeAlphabet());
        }

        if (!CategoriesByAuthority.TryGetValue(code[0], out var categories))
        {
            return new Error(KycErrorCodes.CreditCodeAuthority, messages.CreditCodeAuthority());
        }

        if (!categories.Contains(code[1]))
        {
            return new Error(KycErrorCodes.CreditCodeCategory, messages.CreditCodeCategory());
        }

        if (code.AsSpan(2, 6).ContainsAnyExceptInRange('0', '9'))
        {
            return new Error(KycErrorCodes.CreditCodeRegionCode, messages.CreditCodeRegionCode());
        }

        if (ComputeCheckCharacter(code[..17]) != code[17..])
        {
            return new Error(KycErrorCodes.CreditCodeCheckCharacter, messages.CreditCodeCheckCharacter());
        }

        return null;
    }

    /// <summary>
    /// True when 18 upper-case characters form a valid code (alphabet, registration authority and category, region digits,
    /// check character). Allocation-free, for scanning text (the relay's PII detection).
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> code)
    {
        if (!HasCodeShape(code)) return false;
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(code[i]);
            if (value < 0) return false;
            sum += value * Weights[i];
        }

        return Alphabet[(31 - sum % 31) % 31] == code[17];
    }

    /// <summary>
    /// True when 18 characters start with a registration authority, its category and six region digits: the shape of a
    /// code, whatever its check character (so a scanner does not take a mistyped one for a bank card).
    /// </summary>
    public static bool HasCodeShape(ReadOnlySpan<char> code) =>
        code.Length == Length && CategoriesByAuthority.TryGetValue(code[0], out var categories) && categories.Contains(code[1])
        && !code.Slice(2, 6).ContainsAnyExceptInRange('0', '9');

    /// <summary>Computes the 18th character from the first 17 (already normalised) characters.</summary>
    /// <exception cref="ArgumentException">Not 17 characters of <see cref="Alphabet"/>.</exception>
    public static string ComputeCheckCharacter(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException($"Expected {Length - 1} characters.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not in the code's alphabet.", nameof(first17));
            }

            sum += value * Weights[i];
        }

        var check = (31 - sum % 31) % 31;
        return Alphabet[check].ToString();
    }

    /// <summary>
    /// Makes a valid code of an enterprise (authority 9, category 1) with a real region code, for
    /// demo and test data. The subject identifier is 8 random digits plus its GB 11714 check.
    /// </summary>
    public static string Generate(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);

        var region = DemoRegionCodes[rng.Next(DemoRegionCodes.Length)];
        var body = string.Concat(Enumerable.Range(0, 8).Select(_ => (char)('0' + rng.Next(10))));
        var first17 = "91" + region + body + OrganisationCodeCheck(body);
        return first17 + ComputeCheckCharacter(first17);
    }

    // GB 11714-1997 check character of an all-digit organisation code body.
    private static char OrganisationCodeCheck(string digits)
    {
        ReadOnlySpan<int> weights = [3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += (digits[i] - '0') * weights[i];
        }

        return (11 - sum % 11) switch
        {
            10 => 'X',
            11 => '0',
            var check => (char)('0' + check),
        };
    }
}
