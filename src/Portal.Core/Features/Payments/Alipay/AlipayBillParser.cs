using System.IO.Compression;
using System.Text;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Reads Alipay trade bills. Columns are located by header name, never by position, because Alipay has
/// added and reordered columns over the years; every field is trimmed because Alipay pads values with
/// tabs (to stop spreadsheets mangling long numbers) and spaces.
/// </summary>
public static class AlipayBillParser
{
    private static readonly string[] RequiredColumns =
    [
        AlipayBillFormat.TradeNo, AlipayBillFormat.OutTradeNo, AlipayBillFormat.BusinessType,
        AlipayBillFormat.OrderAmount, AlipayBillFormat.MerchantReceived,
    ];

    /// <summary>Finds the detail CSV in a bill ZIP (skipping the summary) and parses its rows.</summary>
    public static Result<IReadOnlyList<AlipayBillRow>> ParseZip(Stream zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        try
        {
            // Alipay's entry names are GBK without the ZIP UTF-8 flag; entries that set the flag still decode as UTF-8.
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true, AlipayBillFormat.Gbk);
            foreach (var entry in archive.Entries)
            {
                if (!entry.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                    || entry.Name.Contains(AlipayBillFormat.SummaryMarker, StringComparison.Ordinal))
                {
                    continue;
                }

                using var reader = new StreamReader(entry.Open(), AlipayBillFormat.Gbk);
                var records = ReadRecords(reader.ReadToEnd());
                if (records.Count > 0 && records[0].Fields.Any(f => AlipayBillFormat.NormalizeColumnName(f) == AlipayBillFormat.TradeNo))
                {
                    return ParseRecords(records);
                }
            }
        }
        catch (InvalidDataException)
        {
            return AlipayErrors.InvalidBill("The bill file is not a valid ZIP archive.");
        }

        return AlipayErrors.InvalidBill("The bill ZIP contains no trade detail CSV.");
    }

    /// <summary>Parses the text of a detail CSV (already decoded from GBK).</summary>
    public static Result<IReadOnlyList<AlipayBillRow>> ParseDetailCsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseRecords(ReadRecords(text));
    }

    private static Result<IReadOnlyList<AlipayBillRow>> ParseRecords(List<CsvRecord> records)
    {
        if (records.Count == 0)
        {
            return AlipayErrors.InvalidBill("The bill has no header row.");
        }

        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var header = records[0].Fields;
        for (var i = 0; i < header.Count; i++)
        {
            columns.TryAdd(AlipayBillFormat.NormalizeColumnName(header[i]), i);
        }

        var missing = RequiredColumns.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            return AlipayErrors.InvalidBill($"The bill header lacks {string.Join(", ", missing)}.");
        }

        var rows = new List<AlipayBillRow>(records.Count - 1);
        foreach (var record in records.Skip(1))
        {
            var row = ParseRow(record, columns);
            if (!row.IsSuccess)
            {
                return row.Error;
            }

            rows.Add(row.Value);
        }

        return Result<IReadOnlyList<AlipayBillRow>>.Success(rows);
    }

    private static Result<AlipayBillRow> ParseRow(CsvRecord record, Dictionary<string, int> columns)
    {
        string? Field(string name) =>
            columns.TryGetValue(name, out var index) && index < record.Fields.Count && record.Fields[index].Trim() is { Length: > 0 } value
                ? value
                : null;

        Error Bad(string column) => AlipayErrors.InvalidBill($"Line {record.Line}: invalid {column} '{Field(column)}'.");

        var tradeNo = Field(AlipayBillFormat.TradeNo);
        var outTradeNo = Field(AlipayBillFormat.OutTradeNo);
        var businessType = Field(AlipayBillFormat.BusinessType);
        if (tradeNo is null || outTradeNo is null || businessType is null)
        {
            return AlipayErrors.InvalidBill($"Line {record.Line}: trade number, order number or business type is empty.");
        }

        if (!AlipayAmount.TryParseSigned(Field(AlipayBillFormat.OrderAmount), out var orderAmount))
        {
            return Bad(AlipayBillFormat.OrderAmount);
        }

        if (!AlipayAmount.TryParseSigned(Field(AlipayBillFormat.MerchantReceived), out var received))
        {
            return Bad(AlipayBillFormat.MerchantReceived);
        }

        long serviceFee = 0;
        if (Field(AlipayBillFormat.ServiceFee) is { } fee && !AlipayAmount.TryParseSigned(fee, out serviceFee))
        {
            return Bad(AlipayBillFormat.ServiceFee);
        }

        DateTimeOffset? createdAt = null;
        if (Field(AlipayBillFormat.CreatedAt) is { } created)
        {
            if (!AlipayTime.TryParse(created, out var value))
            {
                return Bad(AlipayBillFormat.CreatedAt);
            }

            createdAt = value;
        }

        DateTimeOffset? completedAt = null;
        if (Field(AlipayBillFormat.CompletedAt) is { } completed)
        {
            if (!AlipayTime.TryParse(completed, out var value))
            {
                return Bad(AlipayBillFormat.CompletedAt);
            }

            completedAt = value;
        }

        return new AlipayBillRow(
            tradeNo,
            outTradeNo,
            businessType,
            Field(AlipayBillFormat.Subject) ?? "",
            createdAt,
            completedAt,
            Field(AlipayBillFormat.CounterpartyAccount),
            orderAmount,
            received,
            Field(AlipayBillFormat.RefundRequestNo),
            serviceFee,
            Field(AlipayBillFormat.Remark));
    }

    private sealed record CsvRecord(int Line, List<string> Fields);

    // A minimal RFC 4180 reader: '#' comment lines and blank lines are skipped; quotes are honoured in case
    // a subject contains a comma. Line numbers are kept for error messages operators can act on.
    private static List<CsvRecord> ReadRecords(string text)
    {
        var records = new List<CsvRecord>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var startLine = line;
            if (text[i] == '#' || text[i] is '\r' or '\n')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                i++;
                line++;
                continue;
            }

            var fields = new List<string>();
            var field = new StringBuilder();
            var inQuotes = false;
            for (; i < text.Length; i++)
            {
                var c = text[i];
                if (inQuotes)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        inQuotes = false;
                    }
                    else
                    {
                        line += c == '\n' ? 1 : 0;
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.ToString().Trim().Length == 0)
                {
                    field.Clear();
                    inQuotes = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\n')
                {
                    break;
                }
                else if (c != '\r')
                {
                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            i++;
            line++;
            if (fields.Any(f => f.Trim().Length > 0))
            {
                records.Add(new CsvRecord(startLine, fields));
            }
        }

        return records;
    }
}
