using System.Text;
using CsvHelper;
using Portal.Core.Features.Invoices;

namespace Portal.UnitTests.Features.Invoices;

public class StatementCsvTests
{
    private static byte[] Write(StatementDocument statement)
    {
        using var stream = new MemoryStream();
        StatementCsv.Write(statement, stream);
        return stream.ToArray();
    }

    [Fact]
    public void Begins_with_the_utf8_byte_order_mark()
    {
        var bytes = Write(DocumentFixtures.Statement());

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
    }

    [Fact]
    public void Round_trips_chinese_text_and_exact_amounts()
    {
        var statement = DocumentFixtures.Statement();
        var bytes = Write(statement);

        // An empty field is a missing value (the writer writes null as empty), not an empty string.
        using var reader = CsvReader.Create(bytes, CsvReaderOptions.Default with { NullValues = [""] });
        var rows = reader.GetRecords<StatementCsvRow>().ToList();

        var expected = StatementCsv.Rows(statement).ToList();
        expected[7] = expected[7] with { Model = "'" + expected[7].Model }; // escaped as a possible formula, see below
        Assert.Equal(expected, rows);
        Assert.All(rows, row => Assert.Equal("杭州星辰数据服务有限公司", row.TenantName));
        Assert.Equal(["期初余额", "充值", "退款", "调整", "套餐购买", "用量", "用量", "用量", "套餐额度过期", "期末余额"], rows.Select(r => r.Kind));
        Assert.Equal(1203.45m, rows[0].Balance);
        Assert.Equal(-12.50m, rows[3].BalanceChange);
        Assert.Equal(-22.3184m, rows[5].BalanceChange);
        Assert.Equal(0.000315m, rows[7].Cost);
        Assert.Equal(5598.17616m, rows[^1].Balance);
    }

    [Fact]
    public void Writes_amounts_as_plain_yuan_numbers()
    {
        var lines = Encoding.UTF8.GetString(Write(DocumentFixtures.Statement())).Split("\r\n");

        Assert.EndsWith(",1203.45", lines[1]);
        Assert.EndsWith(",-200.00,", lines[3]);
        Assert.Equal("杭州星辰数据服务有限公司,T-000123,2025-03,用量,deepseek-chat,18240,41250000,8730000,52.3184,30.00,,-22.3184,", lines[6]);
        Assert.EndsWith(",5598.17616", lines[10]);
    }

    [Fact]
    public void Writes_chinese_headers()
    {
        var text = Encoding.UTF8.GetString(Write(DocumentFixtures.Statement())).TrimStart('\uFEFF');

        Assert.StartsWith("客户名称,账户编号,账期,项目,模型,请求数,输入Token,输出Token,费用(元),套餐抵扣(元),套餐过期(元),余额变动(元),余额(元)\r\n", text);
    }

    [Fact]
    public void Escapes_a_model_name_that_a_spreadsheet_would_run_as_a_formula()
    {
        var text = Encoding.UTF8.GetString(Write(DocumentFixtures.Statement()));

        Assert.DoesNotContain(",=HYPERLINK", text);
        Assert.Contains("'=HYPERLINK", text);
    }
}
