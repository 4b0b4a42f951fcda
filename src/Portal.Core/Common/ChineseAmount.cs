using System.Text;

namespace Portal.Core.Common;

/// <summary>
/// Writes an amount in 人民币大写 (financial uppercase numerals) as required on invoices, receipts and bank
/// instruments by 《支付结算办法》附件《正确填写票据和结算凭证的基本规定》.
/// </summary>
/// <remarks>
/// Where the rules allow either form, this writes the shorter one, consistently:
/// a 零 is written for zeros <em>between</em> digits of a four-digit group (壹仟零壹元), and before a group whose
/// thousands digit is zero when a higher group was written (壹拾万零壹拾元, 壹亿零壹元); a run of zeros that ends at
/// a 万/亿/元 boundary followed by a non-zero thousands digit or 角 writes none (壹拾万壹仟元, 贰拾元叁角).
/// 角 zero with 分 non-zero always writes 零 (壹元零伍分). 整 follows 元 only when there are no 角 and 分.
/// </remarks>
public static class ChineseAmount
{
    /// <summary>Exclusive upper bound: 1,000,000,000,000 yuan (壹万亿), in fen.</summary>
    private const long LimitFen = 1_000_000_000_000L * 100;

    private static readonly char[] Digits = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    private static readonly string[] PlaceInGroup = ["", "拾", "佰", "仟"];
    private static readonly string[] GroupUnit = ["", "万", "亿"];

    /// <summary>
    /// 人民币大写 for <paramref name="amount"/>, e.g. 1,001.05 → 壹仟零壹元零伍分. The amount is first rounded to the
    /// fen, half away from zero on micro-yuan (0.005 yuan → 壹分).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is negative, or is 1,000,000,000,000 yuan or more after rounding.</exception>
    public static string ToUppercaseRmb(Money amount)
    {
        if (amount.MicroYuan < 0)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "人民币大写 is written for non-negative amounts only.");

        var fen = amount.MicroYuan / Money.MicroPerFen + (amount.MicroYuan % Money.MicroPerFen >= Money.MicroPerFen / 2 ? 1 : 0);
        if (fen >= LimitFen)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "人民币大写 is written for amounts below 1,000,000,000,000 yuan.");

        var yuan = fen / 100;
        var jiao = (int)(fen / 10 % 10);
        var fenDigit = (int)(fen % 10);

        var text = new StringBuilder();
        if (yuan > 0)
        {
            AppendYuan(text, yuan);
            text.Append('元');
        }

        if (jiao == 0 && fenDigit == 0)
        {
            if (yuan == 0) text.Append("零元");
            text.Append('整');
            return text.ToString();
        }

        if (jiao != 0)
        {
            text.Append(Digits[jiao]).Append('角');
        }
        else if (yuan > 0)
        {
            text.Append('零');
        }

        if (fenDigit != 0) text.Append(Digits[fenDigit]).Append('分');
        return text.ToString();
    }

    private static void AppendYuan(StringBuilder text, long yuan)
    {
        // Groups of four digits, most significant first: 亿, 万, units.
        var groups = new[] { (int)(yuan / 100_000_000), (int)(yuan / 10_000 % 10_000), (int)(yuan % 10_000) };
        var written = false;
        for (var g = 0; g < groups.Length; g++)
        {
            var group = groups[g];
            if (group == 0) continue;
            if (written && group < 1000) text.Append('零');
            AppendGroup(text, group);
            text.Append(GroupUnit[groups.Length - 1 - g]);
            written = true;
        }
    }

    private static void AppendGroup(StringBuilder text, int group)
    {
        var pendingZero = false;
        var started = false;
        for (var place = 3; place >= 0; place--)
        {
            var digit = group / Pow10(place) % 10;
            if (digit == 0)
            {
                pendingZero = started;
                continue;
            }

            if (pendingZero) text.Append('零');
            text.Append(Digits[digit]).Append(PlaceInGroup[place]);
            pendingZero = false;
            started = true;
        }
    }

    private static int Pow10(int place) => place switch { 0 => 1, 1 => 10, 2 => 100, _ => 1000 };
}
