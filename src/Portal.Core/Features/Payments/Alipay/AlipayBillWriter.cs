using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Writes trade bills in Alipay's layout, for the simulator's bill download. Deliberately reproduces
/// Alipay's quirks (GBK, full-width parentheses, '#' comment block, tab-padded values, a summary file
/// next to the detail file) so the parser is exercised against the real shape.
/// </summary>
public static class AlipayBillWriter
{
    /// <summary>Builds the ZIP Alipay would serve for <paramref name="billDate"/>.</summary>
    /// <param name="pid">Merchant PID (2088...), used in the file names and the account line.</param>
    /// <param name="billDate">The business day (GMT+8).</param>
    /// <param name="rows">Detail rows; amounts must be whole fen.</param>
    public static byte[] WriteZip(string pid, DateOnly billDate, IReadOnlyList<AlipayBillRow> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(pid);
        ArgumentNullException.ThrowIfNull(rows);
        var day = billDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true, AlipayBillFormat.Gbk))
        {
            AddEntry(archive, $"{pid}_{day}_{AlipayBillFormat.DetailMarker}.csv", WriteDetailCsv(pid, billDate, rows));
            AddEntry(archive, $"{pid}_{day}_{AlipayBillFormat.DetailMarker}({AlipayBillFormat.SummaryMarker}).csv", WriteSummaryCsv(pid, billDate, rows));
        }

        return buffer.ToArray();
    }

    /// <summary>The detail CSV text (before GBK encoding), CRLF line endings.</summary>
    public static string WriteDetailCsv(string pid, DateOnly billDate, IReadOnlyList<AlipayBillRow> rows)
    {
        var csv = new StringBuilder();
        AppendPreamble(csv, "#支付宝业务明细查询", pid, billDate);
        csv.Append("#-----------------------------------------业务明细列表----------------------------------------\r\n");
        csv.Append(string.Join(',', AlipayBillFormat.DetailColumns)).Append("\r\n");
        foreach (var row in rows)
        {
            string[] values =
            [
                row.TradeNo, row.OutTradeNo, row.BusinessType, row.Subject,
                row.CreatedAt is { } created ? AlipayTime.Format(created) : "",
                row.CompletedAt is { } completed ? AlipayTime.Format(completed) : "",
                "", "", "", "", row.CounterpartyAccount ?? "",
                AlipayAmount.FormatSigned(row.OrderAmountMicroYuan), AlipayAmount.FormatSigned(row.MerchantReceivedMicroYuan),
                "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00",
                row.RefundRequestNo ?? "", AlipayAmount.FormatSigned(row.ServiceFeeMicroYuan), "0.00", row.Remark ?? "",
            ];
            // Alipay appends a tab to every value so spreadsheets keep long numbers as text.
            csv.Append(string.Join(',', values.Select(v => Escape(v) + "\t"))).Append("\r\n");
        }

        csv.Append("#-----------------------------------------业务明细列表结束------------------------------------\r\n");
        csv.Append(CultureInfo.InvariantCulture, $"#交易合计：{rows.Count(r => !r.IsRefund)}笔，退款合计：{rows.Count(r => r.IsRefund)}笔\r\n");
        csv.Append(CultureInfo.InvariantCulture, $"#导出时间：[{billDate.AddDays(1):yyyy年MM月dd日} 09:00:00]\r\n");
        return csv.ToString();
    }

    private static string WriteSummaryCsv(string pid, DateOnly billDate, IReadOnlyList<AlipayBillRow> rows)
    {
        var csv = new StringBuilder();
        AppendPreamble(csv, "#支付宝业务汇总查询", pid, billDate);
        csv.Append("#-----------------------------------------业务汇总列表----------------------------------------\r\n");
        csv.Append("门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,服务费（元）\r\n");
        csv.Append(CultureInfo.InvariantCulture, $"合计,,{rows.Count(r => !r.IsRefund)},{rows.Count(r => r.IsRefund)},")
            .Append(AlipayAmount.FormatSigned(rows.Sum(r => r.OrderAmountMicroYuan))).Append(',')
            .Append(AlipayAmount.FormatSigned(rows.Sum(r => r.MerchantReceivedMicroYuan))).Append(',')
            .Append(AlipayAmount.FormatSigned(rows.Sum(r => r.ServiceFeeMicroYuan))).Append("\r\n");
        csv.Append("#-----------------------------------------业务汇总列表结束------------------------------------\r\n");
        return csv.ToString();
    }

    private static void AppendPreamble(StringBuilder csv, string title, string pid, DateOnly billDate) =>
        csv.Append(title).Append("\r\n")
            .Append(CultureInfo.InvariantCulture, $"#账号：[{pid}]\r\n")
            .Append(CultureInfo.InvariantCulture, $"#起始日期：[{billDate:yyyy年MM月dd日} 00:00:00]   终止日期：[{billDate.AddDays(1):yyyy年MM月dd日} 00:00:00]\r\n");

    private static string Escape(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static void AddEntry(ZipArchive archive, string name, string content)
    {
        var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
        using var stream = entry.Open();
        var bytes = AlipayBillFormat.Gbk.GetBytes(content);
        stream.Write(bytes);
    }
}
