using System.Globalization;
using System.Text;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>
/// One line of the ALL trade bill. Payment lines have 交易状态 SUCCESS and the 应结订单金额; refund lines have REFUND,
/// the 商户退款单号 (out_refund_no) and the 退款金额. Amounts are micro-yuan.
/// </summary>
public sealed record WechatPayBillLine(
    DateTimeOffset At, string AppId, string MchId, string TransactionId, string OutTradeNo, string TradeType, string TradeState,
    long SettlementMicroYuan, string? RefundId, string? OutRefundNo, long RefundMicroYuan, string? RefundStatus, string Description)
{
    public bool IsRefund => TradeState == "REFUND";
}

/// <summary>
/// The trade bill's CSV (交易账单, bill_type=ALL): a header line, one line per payment or refund whose every field
/// starts with a backtick (so spreadsheets keep long numbers as text), then a totals header and a totals line.
/// </summary>
public static class WechatPayBill
{
    public static readonly string[] Columns =
    [
        "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识", "交易类型", "交易状态", "付款银行", "货币种类",
        "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包",
        "手续费", "费率", "订单金额", "申请退款金额", "费率备注",
    ];

    private const string TotalsHeader = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

    public static string Write(IReadOnlyList<WechatPayBillLine> lines)
    {
        var csv = new StringBuilder().Append(string.Join(',', Columns)).Append("\r\n");
        foreach (var l in lines)
        {
            string[] fields =
            [
                ChinaTime.Format(l.At, seconds: true), l.AppId, l.MchId, "0", "", l.TransactionId, l.OutTradeNo, "", l.TradeType, l.TradeState, "OTHERS", "CNY",
                Yuan(l.SettlementMicroYuan), "0.00", l.RefundId ?? "0", l.OutRefundNo ?? "0", Yuan(l.RefundMicroYuan), "0.00", l.IsRefund ? "ORIGINAL" : "",
                l.RefundStatus ?? "", l.Description.Replace(',', '，'), "", "0.00000", "0.60%", Yuan(l.SettlementMicroYuan), Yuan(l.RefundMicroYuan), "",
            ];
            csv.Append(string.Join(',', fields.Select(f => "`" + f))).Append("\r\n");
        }

        csv.Append(TotalsHeader).Append("\r\n");
        csv.Append(string.Join(',', new[]
        {
            lines.Count.ToString(CultureInfo.InvariantCulture), Yuan(lines.Sum(l => l.SettlementMicroYuan)), Yuan(lines.Sum(l => l.RefundMicroYuan)),
            "0.00", "0.00000", Yuan(lines.Sum(l => l.SettlementMicroYuan)), Yuan(lines.Sum(l => l.RefundMicroYuan)),
        }.Select(f => "`" + f))).Append("\r\n");
        return csv.ToString();
    }

    /// <summary>Reads the detail lines, checking the header and that the totals line agrees with them.</summary>
    public static Result<IReadOnlyList<WechatPayBillLine>> Parse(string csv)
    {
        var rows = csv.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.TrimStart('\uFEFF')).ToList();
        if (rows.Count < 3) return WechatPayErrors.InvalidBill("The bill has fewer than three lines.");
        var header = rows[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        int[] needed = [Col("交易时间"), Col("公众账号ID"), Col("商户号"), Col("微信订单号"), Col("商户订单号"), Col("交易类型"), Col("交易状态"), Col("应结订单金额"),
            Col("微信退款单号"), Col("商户退款单号"), Col("退款金额"), Col("退款状态"), Col("商品名称")];
        if (needed.Any(i => i < 0)) return WechatPayErrors.InvalidBill("The bill header is not WeChat Pay's trade bill layout.");

        var lines = new List<WechatPayBillLine>();
        var totalsAt = rows.FindIndex(r => r.StartsWith("总交易单数", StringComparison.Ordinal));
        if (totalsAt < 1 || totalsAt + 1 >= rows.Count) return WechatPayErrors.InvalidBill("The bill has no totals.");
        for (var i = 1; i < totalsAt; i++)
        {
            var f = rows[i].Split(',');
            if (f.Length != header.Length || f.Any(x => !x.StartsWith('`'))) return WechatPayErrors.InvalidBill($"Line {i + 1} is not backtick-prefixed CSV with {header.Length} fields.");
            string V(int column) => f[column][1..];
            if (!DateTime.TryParseExact(V(needed[0]), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                || !Money.TryParseYuan(V(needed[7]), out var settlement) || !Money.TryParseYuan(V(needed[10]), out var refund))
                return WechatPayErrors.InvalidBill($"Line {i + 1} has a malformed time or amount.");
            var state = V(needed[6]);
            lines.Add(new WechatPayBillLine(new DateTimeOffset(at, TimeSpan.FromHours(8)).ToUniversalTime(), V(needed[1]), V(needed[2]), V(needed[3]), V(needed[4]), V(needed[5]), state,
                settlement.MicroYuan, state == "REFUND" ? V(needed[8]) : null, state == "REFUND" ? V(needed[9]) : null, refund.MicroYuan,
                V(needed[11]) is { Length: > 0 } rs ? rs : null, V(needed[12])));
        }

        var totals = rows[totalsAt + 1].Split(',').Select(x => x.TrimStart('`')).ToArray();
        if (totals.Length < 3 || !int.TryParse(totals[0], CultureInfo.InvariantCulture, out var count) || count != lines.Count
            || !Money.TryParseYuan(totals[1], out var sum) || sum.MicroYuan != lines.Sum(l => l.SettlementMicroYuan)
            || !Money.TryParseYuan(totals[2], out var refunds) || refunds.MicroYuan != lines.Sum(l => l.RefundMicroYuan))
            return WechatPayErrors.InvalidBill("The bill's totals do not add up to its lines.");
        return lines;
    }

    private static string Yuan(long microYuan) => (microYuan / (decimal)Money.MicroPerYuan).ToString("0.00", CultureInfo.InvariantCulture);
}
