using System.Globalization;
using System.Text;
using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>One incoming line of a bank statement (收入金额 &gt; 0).</summary>
public sealed record StatementRow(int Line, string TransactionId, DateTimeOffset TransactedAt, Money Amount, string CounterpartyName, string CounterpartyAccount, string Memo);

/// <summary>A problem in the file, with the 1-based line number where its record starts (0 for the whole file).</summary>
public sealed record StatementError(int Line, string Message);

/// <summary>What a statement file holds: its incoming rows, how many outgoing rows were skipped, and every error.</summary>
public sealed record ParsedStatement(IReadOnlyList<StatementRow> Rows, int SkippedOutgoing, IReadOnlyList<StatementError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// The built-in generic bank statement profile: a CSV (RFC 4180) in UTF-8 or GBK whose header names the columns
/// 交易日期, 交易时间, 收入金额, 支出金额, 对方户名, 对方账号, 摘要 or 附言, 交易流水号. Amounts are parsed exactly
/// (decimal text → micro-yuan), dates are Beijing time.
/// </summary>
public static class BankStatementParser
{
    public const string Date = "交易日期";
    public const string Time = "交易时间";
    public const string Income = "收入金额";
    public const string Expense = "支出金额";
    public const string CounterpartyName = "对方户名";
    public const string CounterpartyAccount = "对方账号";
    public const string Summary = "摘要";
    public const string Remark = "附言";
    public const string TransactionId = "交易流水号";

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy/MM/dd", "yyyyMMdd", "yyyy-M-d", "yyyy/M/d"];
    private static readonly string[] TimeFormats = ["HH:mm:ss", "HHmmss", "HH:mm", "H:mm:ss"];

    /// <summary>UTF-8 when the bytes carry a BOM or decode strictly; otherwise GBK (what Chinese banks' exports use).</summary>
    public static string Decode(byte[] bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return AlipayBillFormat.Gbk.GetString(bytes);
        }
    }

    public static ParsedStatement Parse(byte[] bytes) => Parse(Decode(bytes));

    public static ParsedStatement Parse(string text)
    {
        var errors = new List<StatementError>();
        var rows = new List<StatementRow>();
        var skipped = 0;
        var records = ReadRecords(text, errors);
        var headerIndex = records.FindIndex(r => r.Fields.Any(f => f.Trim() == TransactionId));
        if (headerIndex < 0)
        {
            errors.Add(new StatementError(0, $"No header row naming the column {TransactionId}."));
            return new ParsedStatement(rows, 0, errors);
        }

        var header = records[headerIndex];
        var columns = new Dictionary<string, int>();
        for (var i = 0; i < header.Fields.Count; i++) columns.TryAdd(header.Fields[i].Trim(), i);
        var memoColumns = new[] { Remark, Summary }.Where(columns.ContainsKey).Select(c => columns[c]).ToList();
        foreach (var required in new[] { Date, Income, TransactionId })
        {
            if (!columns.ContainsKey(required)) errors.Add(new StatementError(header.Line, $"The column {required} is missing."));
        }

        if (memoColumns.Count == 0) errors.Add(new StatementError(header.Line, $"The column {Summary} or {Remark} is missing."));
        if (errors.Count > 0) return new ParsedStatement(rows, 0, errors);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records.Skip(headerIndex + 1))
        {
            if (record.Fields.All(string.IsNullOrWhiteSpace)) continue;
            string Field(string name) => columns.TryGetValue(name, out var i) && i < record.Fields.Count ? record.Fields[i].Trim().Trim('\t') : "";
            if (record.Fields.Count != header.Fields.Count)
            {
                errors.Add(new StatementError(record.Line, $"Expected {header.Fields.Count} columns, found {record.Fields.Count}."));
                continue;
            }

            var income = Field(Income);
            Money amount = Money.Zero;
            if (income.Length > 0 && (!Money.TryParseYuan(income, out amount) || !amount.IsWholeFen || amount < Money.Zero))
            {
                errors.Add(new StatementError(record.Line, $"{Income} \"{income}\" is not an amount in yuan."));
                continue;
            }

            var expense = Field(Expense);
            if (expense.Length > 0 && !Money.TryParseYuan(expense, out _))
            {
                errors.Add(new StatementError(record.Line, $"{Expense} \"{expense}\" is not an amount in yuan."));
                continue;
            }

            if (amount == Money.Zero)
            {
                skipped++;
                continue;
            }

            var id = Field(TransactionId);
            if (id.Length is 0 or > 64)
            {
                errors.Add(new StatementError(record.Line, $"{TransactionId} is empty or longer than 64 characters."));
                continue;
            }

            if (!seen.Add(id))
            {
                errors.Add(new StatementError(record.Line, $"{TransactionId} {id} appears twice in the file."));
                continue;
            }

            if (!DateOnly.TryParseExact(Field(Date), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                errors.Add(new StatementError(record.Line, $"{Date} \"{Field(Date)}\" is not a date."));
                continue;
            }

            var timeText = Field(Time);
            var time = TimeOnly.MinValue;
            if (timeText.Length > 0 && !TimeOnly.TryParseExact(timeText, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
            {
                errors.Add(new StatementError(record.Line, $"{Time} \"{timeText}\" is not a time."));
                continue;
            }

            var memo = string.Join(" ", memoColumns.Select(i => record.Fields[i].Trim()).Where(m => m.Length > 0));
            var at = new DateTimeOffset(date.ToDateTime(time), TimeSpan.FromHours(8)).ToUniversalTime();
            rows.Add(new StatementRow(record.Line, id, at, amount, Clip(Field(CounterpartyName), 200), Clip(Field(CounterpartyAccount), 64), Clip(memo, 500)));
        }

        return new ParsedStatement(rows, skipped, errors);
    }

    private static string Clip(string s, int max) => s.Length > max ? s[..max] : s;

    private sealed record Record(int Line, List<string> Fields);

    // RFC 4180: fields separated by commas, quoted fields may contain commas, quotes ("") and line breaks.
    private static List<Record> ReadRecords(string text, List<StatementError> errors)
    {
        var records = new List<Record>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var startLine = 1;
        var inQuotes = false;
        var quotedField = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0 && !quotedField:
                    inQuotes = true;
                    quotedField = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    quotedField = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    records.Add(new Record(startLine, fields));
                    fields = [];
                    field.Clear();
                    quotedField = false;
                    line++;
                    startLine = line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (inQuotes) errors.Add(new StatementError(startLine, "A quoted field is not closed."));
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add(new Record(startLine, fields));
        }

        return records;
    }
}
