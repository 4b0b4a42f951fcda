using System.Text;

namespace Portal.Core.Features.Usage;

/// <summary>RFC 4180 fields for files people open in Excel.</summary>
public static class Csv
{
    /// <summary>UTF-8 with a byte-order mark: without it Excel reads the file as the local ANSI code page and garbles Chinese.</summary>
    public static readonly Encoding Utf8WithBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    /// <summary>
    /// Quotes a field when it holds a comma, a quote, a line break or edge spaces (quotes doubled). Text a person typed
    /// (<paramref name="untrusted"/>: key names) that starts like a formula (= + - @ tab) gets a leading apostrophe,
    /// so Excel shows it instead of evaluating it.
    /// </summary>
    public static string Field(string? value, bool untrusted = false)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (untrusted && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        var needsQuotes = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' ';
        return needsQuotes ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>One record: fields joined by commas, ended by CRLF as RFC 4180 says.</summary>
    public static void WriteRow(TextWriter writer, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first) writer.Write(',');
            writer.Write(field);
            first = false;
        }

        writer.Write("\r\n");
    }
}
