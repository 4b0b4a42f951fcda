using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

/// <summary>Drawing helpers shared by the invoice and statement layouts: one font family, CJK-aware wrapping.</summary>
internal sealed class PdfCanvas(XGraphics gfx)
{
    // Subset embedding keeps a 4.6 MB CJK font down to the few dozen glyphs a page uses; Unicode encoding writes a
    // ToUnicode map so the text stays searchable and extractable.
    private static readonly XPdfFontOptions FontOptions = new(PdfFontEncoding.Unicode, PdfFontEmbedding.TryComputeSubset);

    private readonly Dictionary<(double, bool), XFont> fonts = [];

    public static readonly XColor Ink = XColor.FromArgb(33, 33, 33);
    public static readonly XColor Muted = XColor.FromArgb(110, 110, 110);
    public static readonly XColor Frame = XColor.FromArgb(150, 72, 46);
    public static readonly XColor Shade = XColor.FromArgb(251, 244, 238);
    public static readonly XColor Stamp = XColor.FromArgb(200, 24, 24);

    public XGraphics Gfx { get; } = gfx;

    public XFont Font(double size, bool bold = false)
    {
        if (!fonts.TryGetValue((size, bold), out var font))
        {
            font = new XFont(PortalFontResolver.FamilyName, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, FontOptions);
            fonts[(size, bold)] = font;
        }

        return font;
    }

    public void Text(string text, XRect rect, double size, XStringFormat format, XColor? color = null, bool bold = false) =>
        Gfx.DrawString(text, Font(size, bold), new XSolidBrush(color ?? Ink), rect, format);

    public double Width(string text, double size, bool bold = false) => Gfx.MeasureString(text, Font(size, bold)).Width;

    /// <summary>
    /// Draws <paramref name="text"/> from the top-left of <paramref name="rect"/>, breaking lines at any character
    /// (Chinese has no spaces to break at) and never drawing below the rectangle. Returns the height used.
    /// </summary>
    public double Wrapped(string text, XRect rect, double size, XColor? color = null, double lineSpacing = 1.35)
    {
        var lineHeight = size * lineSpacing;
        var y = rect.Top;
        foreach (var line in BreakLines(text, rect.Width, size))
        {
            if (y + lineHeight > rect.Bottom + 0.01) break;
            Text(line, new XRect(rect.Left, y, rect.Width, lineHeight), size, XStringFormats.CenterLeft, color);
            y += lineHeight;
        }

        return y - rect.Top;
    }

    public IEnumerable<string> BreakLines(string text, double width, double size)
    {
        foreach (var paragraph in text.Split('\n'))
        {
            var start = 0;
            while (start < paragraph.Length)
            {
                if (start > 0 && paragraph[start] == ' ')
                {
                    start++;
                    continue;
                }

                var end = start + 1;
                while (end < paragraph.Length && Width(paragraph[start..(end + 1)], size) <= width) end++;
                if (end < paragraph.Length && IsWordCharacter(paragraph[end - 1]) && IsWordCharacter(paragraph[end]))
                {
                    // Do not split a number or Latin word when the line has an earlier place to break.
                    var space = paragraph.LastIndexOf(' ', end - 1, end - start);
                    if (space > start) end = space + 1;
                }

                yield return paragraph[start..end].TrimEnd();
                start = end;
            }

            if (paragraph.Length == 0) yield return "";
        }
    }

    private static bool IsWordCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or ',' or '_' or '/';

    public void Line(double x1, double y1, double x2, double y2, XColor color, double width = 0.6) =>
        Gfx.DrawLine(new XPen(color, width), x1, y1, x2, y2);

    public void Box(XRect rect, XColor color, double width = 0.8) => Gfx.DrawRectangle(new XPen(color, width), rect);

    public void Fill(XRect rect, XColor color) => Gfx.DrawRectangle(new XSolidBrush(color), rect);

    /// <summary>Characters stacked top to bottom, centred in <paramref name="rect"/>: the side labels of invoice blocks.</summary>
    public void Vertical(string text, XRect rect, double size, XColor color)
    {
        var step = size * 1.25;
        var top = rect.Top + (rect.Height - step * text.Length) / 2;
        for (var i = 0; i < text.Length; i++)
            Text(text[i].ToString(), new XRect(rect.Left, top + i * step, rect.Width, step), size, XStringFormats.Center, color);
    }

    /// <summary><c>1,060.00</c>: an amount in a table cell, where the column header says the currency.</summary>
    public static string Amount(Money money) => money.ToDisplay().Replace("¥", "", StringComparison.Ordinal);

    /// <summary><c>6%</c>, <c>6.5%</c>.</summary>
    public static string Rate(int basisPoints) => (basisPoints / 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public static string Count(decimal quantity) => quantity.ToString("#,0.########", CultureInfo.InvariantCulture);

    public static string Count(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);

    public static string ChineseDate(DateOnly date) => date.ToString("yyyy年MM月dd日", CultureInfo.InvariantCulture);

    public static byte[] Save(PdfDocument document)
    {
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }
}
