using System.IO.Compression;
using System.Text;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipayBillTests
{
    private static readonly DateTimeOffset Created = new(2024, 5, 1, 4, 34, 0, TimeSpan.Zero);

    private static readonly AlipayBillRow Payment = new(
        "2024050122001400000000000001", "ORD-7", AlipayBillRow.PaymentType, "年费, 高级版 \"VIP\"", Created, Created.AddMinutes(1),
        "159****5620", 88_000_000, 88_000_000, null, 530_000, "备注A");

    private static readonly AlipayBillRow Refund = new(
        "2024050122001400000000000001", "ORD-7", AlipayBillRow.RefundType, "年费", Created.AddHours(2), Created.AddHours(2),
        "159****5620", -500_000, -500_000, "ORD-7-R1", -30_000, null);

    [Fact]
    public void Generated_bill_zip_parses_back_to_the_same_rows()
    {
        var zip = AlipayBillWriter.WriteZip("2088102000000001", new DateOnly(2024, 5, 1), [Payment, Refund]);

        var parsed = AlipayBillParser.ParseZip(new MemoryStream(zip));

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal([Payment, Refund], parsed.Value);
        Assert.True(parsed.Value[1].IsRefund);
    }

    [Fact]
    public void Generated_bill_looks_like_alipays_gbk_files()
    {
        var zip = AlipayBillWriter.WriteZip("2088102000000001", new DateOnly(2024, 5, 1), [Payment]);

        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read, false, AlipayBillFormat.Gbk);
        Assert.Equal(
            ["2088102000000001_20240501_业务明细.csv", "2088102000000001_20240501_业务明细(汇总).csv"],
            archive.Entries.Select(e => e.FullName));
        using var raw = new MemoryStream();
        archive.Entries[0].Open().CopyTo(raw);
        var bytes = raw.ToArray();
        // GBK encodes 支 as D6 A7; UTF-8 would be E6 94 AF.
        Assert.Contains("D6A7", Convert.ToHexString(bytes));
        var text = AlipayBillFormat.Gbk.GetString(bytes);
        Assert.StartsWith("#支付宝业务明细查询\r\n", text);
        Assert.Contains("订单金额（元）", text);
        Assert.Contains("88.00\t", text);
    }

    [Fact]
    public void Columns_are_found_by_header_name_in_any_order_with_either_parenthesis_style()
    {
        const string csv =
            "#支付宝业务明细查询\r\n" +
            "#账号：[20881020000000010156]\r\n" +
            "#-----------------------------------------业务明细列表----------------------------------------\r\n" +
            "备注,服务费(元),商家实收（元）,订单金额(元),新增列,完成时间,创建时间,商品名称,业务类型,商户订单号,支付宝交易号,退款批次号/请求号\r\n" +
            " x \t,-0.53\t,87.47 ,88.00\t,?,2024-05-01 12:35:00\t,2024-05-01 12:34:00\t,年费\t,交易\t,ORD-7\t,\t2024050122001400000000000001\t,\t\r\n" +
            "#-----------------------------------------业务明细列表结束------------------------------------\r\n" +
            "#交易合计：1笔，退款合计：0笔\r\n";

        var parsed = AlipayBillParser.ParseDetailCsv(csv);

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        var row = Assert.Single(parsed.Value);
        Assert.Equal(
            new AlipayBillRow(
                "2024050122001400000000000001", "ORD-7", "交易", "年费", Created, Created.AddMinutes(1), null,
                88_000_000, 87_470_000, null, -530_000, "x"),
            row);
    }

    [Fact]
    public void Missing_required_column_is_an_invalid_bill()
    {
        var parsed = AlipayBillParser.ParseDetailCsv("支付宝交易号,商户订单号,业务类型,订单金额（元）\r\n1,2,交易,1.00\r\n");

        Assert.Equal(AlipayErrors.InvalidBillCode, parsed.Error?.Code);
        Assert.Contains("商家实收(元)", parsed.Error!.Message);
    }

    [Theory]
    [InlineData("1.001")]
    [InlineData("1e3")]
    [InlineData("abc")]
    public void Malformed_amount_names_the_line(string amount)
    {
        var parsed = AlipayBillParser.ParseDetailCsv($"#c\r\n支付宝交易号,商户订单号,业务类型,订单金额（元）,商家实收（元）\r\n1,2,交易,{amount},1.00\r\n");

        Assert.Equal(AlipayErrors.InvalidBillCode, parsed.Error?.Code);
        Assert.Contains("Line 3", parsed.Error!.Message);
    }

    [Fact]
    public void Empty_day_has_no_rows()
    {
        var zip = AlipayBillWriter.WriteZip("2088102000000001", new DateOnly(2024, 5, 1), []);

        var parsed = AlipayBillParser.ParseZip(new MemoryStream(zip));

        Assert.True(parsed.IsSuccess);
        Assert.Empty(parsed.Value);
    }

    [Fact]
    public void Summary_file_first_in_the_zip_is_skipped()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, true, AlipayBillFormat.Gbk))
        {
            Write(archive, "2088_20240501_业务明细(汇总).csv", "门店编号,门店名称,交易订单总笔数\r\n合计,,1\r\n");
            Write(archive, "readme.txt", "not a csv");
            Write(archive, "2088_20240501_业务明细.csv", AlipayBillWriter.WriteDetailCsv("2088", new DateOnly(2024, 5, 1), [Payment]));
        }

        var parsed = AlipayBillParser.ParseZip(new MemoryStream(buffer.ToArray()));

        Assert.Equal([Payment], parsed.Value);
    }

    [Fact]
    public void Zip_without_a_detail_csv_is_an_invalid_bill()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, true))
        {
            Write(archive, "other.csv", "a,b\r\n1,2\r\n");
        }

        Assert.Equal(AlipayErrors.InvalidBillCode, AlipayBillParser.ParseZip(new MemoryStream(buffer.ToArray())).Error?.Code);
    }

    private static void Write(ZipArchive archive, string name, string text)
    {
        using var stream = archive.CreateEntry(name).Open();
        stream.Write(AlipayBillFormat.Gbk.GetBytes(text));
    }
}
