using System.Text;
using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.BankTransfer;

namespace Portal.UnitTests.Features.Payments;

public class BankStatementParserTests
{
    private const string Header = "交易日期,交易时间,收入金额,支出金额,对方户名,对方账号,附言,交易流水号";

    [Fact]
    public void Incoming_rows_are_parsed_exactly_and_outgoing_rows_skipped()
    {
        var text = Header + "\n2026-11-28,09:30:00,\"1,234.56\",,\"甲公司, 上海\",6222,\"转账 \"\"RC7K 2M9Q\"\"\",A1\n2026-11-28,09:31:00,,10.00,乙,1,费用,A2\n";
        var parsed = BankStatementParser.Parse(text);
        Assert.True(parsed.IsValid);
        var row = Assert.Single(parsed.Rows);
        Assert.Equal(new Money(1_234_560_000), row.Amount);
        Assert.Equal("甲公司, 上海", row.CounterpartyName);
        Assert.Equal("转账 \"RC7K 2M9Q\"", row.Memo);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 1, 30, 0, TimeSpan.Zero), row.TransactedAt);
        Assert.Equal(1, parsed.SkippedOutgoing);
    }

    [Fact]
    public void Errors_carry_line_numbers()
    {
        var parsed = BankStatementParser.Parse(Header + "\n2026-11-28,09:30:00,1.00,,甲,1,x,A1\n2026-13-01,09:30:00,1.00,,甲,1,x,A2\n");
        var error = Assert.Single(parsed.Errors);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Missing_columns_are_reported() =>
        Assert.Contains(BankStatementParser.Parse("交易日期,收入金额\n2026-11-28,1\n").Errors, e => e.Message.Contains("交易流水号"));

    [Fact]
    public void Gbk_bytes_are_detected_and_utf8_is_kept()
    {
        var text = Header + "\n2026-11-28,09:30:00,5.00,,中文户名,1,货款,A1\n";
        Assert.Equal("中文户名", BankStatementParser.Parse(AlipayBillFormat.Gbk.GetBytes(text)).Rows[0].CounterpartyName);
        Assert.Equal("中文户名", BankStatementParser.Parse(Encoding.UTF8.GetBytes(text)).Rows[0].CounterpartyName);
    }
}
