using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Portal.Core.Common;
using QRCoder;

namespace Portal.Core.Features.Invoices;

/// <summary>Renders an <see cref="InvoiceDocument"/> as a one-page A4 PDF.</summary>
public static class InvoicePdf
{
    private const double Margin = 40;
    private const double Left = Margin;
    private const double Width = 595.28 - 2 * Margin; // A4 portrait in points
    private const double Right = Left + Width;
    private const double SideLabelWidth = 20;
    private const double RowHeight = 20;

    // 项目名称 | 单位 | 数量 | 金额 | 税率 | 税额 — widths add up to Width.
    private static readonly double[] Columns = [195, 40, 50, 95, 50, Width - 195 - 40 - 50 - 95 - 50];

    /// <summary>
    /// The invoice as PDF bytes: text is real text in the embedded (subset) font, so it can be searched, copied and
    /// read by tests; the QR code is drawn as vector squares and points at <see cref="InvoiceDocument.VerificationUrl"/>.
    /// </summary>
    /// <param name="invoice">The invoice; checked with <see cref="InvoiceDocument.EnsureValid"/>.</param>
    /// <param name="fontTtf">A single-face TrueType font with CJK glyphs (the app ships WenQuanYi Micro Hei).</param>
    public static byte[] Render(InvoiceDocument invoice, byte[] fontTtf)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        invoice.EnsureValid();
        PortalFontResolver.Install(fontTtf);

        using var document = new PdfDocument();
        document.Info.Title = $"{DocumentTitle} {invoice.InvoiceNumber}";
        document.Info.Author = invoice.PlatformName;
        document.Info.Subject = $"{invoice.Buyer.Name} {invoice.TotalIncludingTax.ToDisplay()}";
        var page = document.AddPage();
        page.Size = PageSize.A4;
        page.Orientation = PageOrientation.Portrait;
        using (var gfx = XGraphics.FromPdfPage(page))
        {
            var canvas = new PdfCanvas(gfx);
            var y = DrawHeader(canvas, invoice);
            y = DrawParties(canvas, invoice, y);
            y = DrawItems(canvas, invoice, y);
            y = DrawTotals(canvas, invoice, y);
            y = DrawRemarks(canvas, invoice, y);
            DrawFooter(canvas, invoice, y);
            if (invoice.IsVoid) DrawVoidStamp(canvas, page);
        }

        return PdfCanvas.Save(document);
    }

    /// <summary>
    /// What the document is: the platform's own invoice voucher. The requested national type (普票 / 专票) is printed
    /// under it in small type, so nobody takes the page for an invoice of the national VAT system.
    /// </summary>
    public const string DocumentTitle = "电子发票凭证";

    private static string TypeName(InvoiceType type) => type switch
    {
        InvoiceType.Special => "增值税专用发票",
        _ => "增值税普通发票",
    };

    private static double DrawHeader(PdfCanvas canvas, InvoiceDocument invoice)
    {
        const double top = Margin;
        const double qrSize = 76;
        DrawQrCode(canvas.Gfx, invoice.VerificationUrl, new XRect(Left - 4, top - 4, qrSize, qrSize));

        const string title = DocumentTitle;
        canvas.Text(title, new XRect(Left, top + 6, Width, 30), 22, XStringFormats.Center, PdfCanvas.Frame, bold: true);
        var titleWidth = canvas.Width(title, 22, bold: true);
        var underlineY = top + 40;
        canvas.Line(Left + (Width - titleWidth) / 2 - 6, underlineY, Left + (Width + titleWidth) / 2 + 6, underlineY, PdfCanvas.Frame, 0.8);
        canvas.Line(Left + (Width - titleWidth) / 2 - 6, underlineY + 2.5, Left + (Width + titleWidth) / 2 + 6, underlineY + 2.5, PdfCanvas.Frame, 0.8);
        canvas.Text($"申请类型：{TypeName(invoice.Type)}　·　平台开具的发票凭证，非全国增值税发票管理系统发票", new XRect(Left, underlineY + 6, Width, 14), 9, XStringFormats.Center, PdfCanvas.Muted);

        const double metaWidth = 170;
        var metaLeft = Right - metaWidth;
        MetaRow(canvas, "发票号码：", invoice.InvoiceNumber, metaLeft, top + 44);
        MetaRow(canvas, "开票日期：", PdfCanvas.ChineseDate(invoice.IssuedOn), metaLeft, top + 60);

        var y = top + qrSize + 4;
        if (invoice.IsVoid)
        {
            var notice = $"本发票已作废　作废原因：{invoice.VoidReason}";
            var used = canvas.Wrapped(notice, new XRect(Left, y, Width, 26), 10, PdfCanvas.Stamp);
            y += used + 2;
        }

        return y;
    }

    private static void MetaRow(PdfCanvas canvas, string label, string value, double left, double top)
    {
        canvas.Text(label, new XRect(left, top, 60, 16), 10, XStringFormats.CenterLeft, PdfCanvas.Frame);
        canvas.Text(value, new XRect(left + 58, top, 112, 16), 10, XStringFormats.CenterLeft);
    }

    /// <summary>The verification QR code as vector squares (shared with the deletion certificate).</summary>
    internal static void DrawQrCode(XGraphics gfx, Uri url, XRect area)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url.AbsoluteUri, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix;
        var module = area.Width / matrix.Count;
        // One rectangle per horizontal run of dark modules: fewer path operations and no hairline seams between
        // neighbouring squares in viewers that anti-alias each fill separately.
        for (var row = 0; row < matrix.Count; row++)
        {
            var bits = matrix[row];
            var col = 0;
            while (col < bits.Length)
            {
                if (!bits[col])
                {
                    col++;
                    continue;
                }

                var start = col;
                while (col < bits.Length && bits[col]) col++;
                gfx.DrawRectangle(XBrushes.Black, area.Left + start * module, area.Top + row * module, (col - start) * module, module);
            }
        }
    }

    private static double DrawParties(PdfCanvas canvas, InvoiceDocument invoice, double top)
    {
        const double height = 92;
        var half = Width / 2;
        canvas.Box(new XRect(Left, top, Width, height), PdfCanvas.Frame, 1);
        canvas.Line(Left + half, top, Left + half, top + height, PdfCanvas.Frame, 1);
        DrawParty(canvas, "购买方信息", invoice.Buyer, new XRect(Left, top, half, height));
        DrawParty(canvas, "销售方信息", invoice.Seller, new XRect(Left + half, top, half, height));
        return top + height;
    }

    private static void DrawParty(PdfCanvas canvas, string label, InvoiceParty party, XRect block)
    {
        var labelRect = new XRect(block.Left, block.Top, SideLabelWidth, block.Height);
        canvas.Fill(labelRect, PdfCanvas.Shade);
        canvas.Line(labelRect.Right, block.Top, labelRect.Right, block.Bottom, PdfCanvas.Frame);
        canvas.Vertical(label, labelRect, 9, PdfCanvas.Frame);

        var x = labelRect.Right + 6;
        var width = block.Right - x - 6;
        var y = block.Top + 6;
        y += Field(canvas, "名称：", party.Name, x, y, width, bold: true);
        y += Field(canvas, "统一社会信用代码/纳税人识别号：", party.TaxpayerId, x, y, width);
        y += Field(canvas, "地址、电话：", party.AddressAndPhone, x, y, width);
        Field(canvas, "开户行及账号：", party.BankAndAccount, x, y, width);
    }

    /// <summary>A label and its value on one line, the value wrapping under itself if it is long.</summary>
    private static double Field(PdfCanvas canvas, string label, string? value, double x, double y, double width, bool bold = false)
    {
        const double size = 8.5;
        var labelWidth = canvas.Width(label, size);
        canvas.Text(label, new XRect(x, y, labelWidth, size * 1.5), size, XStringFormats.CenterLeft, PdfCanvas.Frame);
        var valueRect = new XRect(x + labelWidth, y, width - labelWidth, size * 1.5 * 2);
        if (string.IsNullOrWhiteSpace(value)) return size * 1.5 + 3;
        var lines = canvas.BreakLines(value, valueRect.Width, size).Take(2).ToList();
        for (var i = 0; i < lines.Count; i++)
            canvas.Text(lines[i], new XRect(valueRect.Left, y + i * size * 1.5, valueRect.Width, size * 1.5), size, XStringFormats.CenterLeft, null, bold && i == 0);
        return lines.Count * size * 1.5 + 3;
    }

    private static double DrawItems(PdfCanvas canvas, InvoiceDocument invoice, double top)
    {
        string[] headers = ["项目名称", "单位", "数量", "金额", "税率/征收率", "税额"];
        var bodyRows = Math.Max(invoice.Lines.Count, 3);
        var height = RowHeight * (bodyRows + 2);
        canvas.Box(new XRect(Left, top, Width, height), PdfCanvas.Frame, 1);
        canvas.Fill(new XRect(Left + 0.5, top + 0.5, Width - 1, RowHeight - 0.5), PdfCanvas.Shade);

        var x = Left;
        for (var c = 0; c < headers.Length; c++)
        {
            canvas.Text(headers[c], new XRect(x, top, Columns[c], RowHeight), 9, XStringFormats.Center, PdfCanvas.Frame);
            x += Columns[c];
        }

        canvas.Line(Left, top + RowHeight, Right, top + RowHeight, PdfCanvas.Frame);
        var y = top + RowHeight;
        foreach (var line in invoice.Lines)
        {
            string[] cells = [line.Name, line.Unit, PdfCanvas.Count(line.Quantity), PdfCanvas.Amount(line.AmountExcludingTax), PdfCanvas.Rate(line.TaxRateBasisPoints), PdfCanvas.Amount(line.Tax)];
            Row(canvas, cells, y, 9, PdfCanvas.Ink);
            y += RowHeight;
        }

        var totalsTop = top + RowHeight * (bodyRows + 1);
        canvas.Line(Left, totalsTop, Right, totalsTop, PdfCanvas.Frame, 0.4);
        string[] totals = ["合　　计", "", "", invoice.TotalExcludingTax.ToDisplay(), "", invoice.TotalTax.ToDisplay()];
        Row(canvas, totals, totalsTop, 9, PdfCanvas.Ink);
        return top + height;
    }

    private static void Row(PdfCanvas canvas, string[] cells, double top, double size, XColor color)
    {
        var x = Left;
        for (var c = 0; c < cells.Length; c++)
        {
            var format = c switch
            {
                0 => XStringFormats.CenterLeft,
                3 or 5 => XStringFormats.CenterRight,
                _ => XStringFormats.Center,
            };
            var cell = new XRect(x + 6, top, Columns[c] - 12, RowHeight);
            var text = cells[c];
            while (c == 0 && text.Length > 1 && canvas.Width(text, size) > cell.Width) text = text[..^2] + "…";
            canvas.Text(text, cell, size, format, c == 0 && cells[c] == "合　　计" ? PdfCanvas.Frame : color);
            x += Columns[c];
        }
    }

    private static double DrawTotals(PdfCanvas canvas, InvoiceDocument invoice, double top)
    {
        const double height = 26;
        const double labelWidth = 110;
        canvas.Box(new XRect(Left, top, Width, height), PdfCanvas.Frame, 1);
        canvas.Fill(new XRect(Left + 0.5, top + 0.5, labelWidth - 0.5, height - 1), PdfCanvas.Shade);
        canvas.Line(Left + labelWidth, top, Left + labelWidth, top + height, PdfCanvas.Frame);
        canvas.Text("价税合计（大写）", new XRect(Left, top, labelWidth, height), 9.5, XStringFormats.Center, PdfCanvas.Frame);

        canvas.Text("⊗ " + ChineseAmount.ToUppercaseRmb(invoice.TotalIncludingTax), new XRect(Left + labelWidth + 10, top, 280, height), 10.5, XStringFormats.CenterLeft, bold: true);
        const double figureWidth = 140;
        canvas.Text("（小写）", new XRect(Right - figureWidth, top, 46, height), 9.5, XStringFormats.CenterLeft, PdfCanvas.Frame);
        canvas.Text(invoice.TotalIncludingTax.ToDisplay(), new XRect(Right - figureWidth + 44, top, figureWidth - 52, height), 10.5, XStringFormats.CenterRight, bold: true);
        return top + height;
    }

    private static double DrawRemarks(PdfCanvas canvas, InvoiceDocument invoice, double top)
    {
        const double height = 56;
        var labelRect = new XRect(Left, top, SideLabelWidth, height);
        canvas.Box(new XRect(Left, top, Width, height), PdfCanvas.Frame, 1);
        canvas.Fill(new XRect(labelRect.Left + 0.5, labelRect.Top + 0.5, labelRect.Width - 0.5, labelRect.Height - 1), PdfCanvas.Shade);
        canvas.Line(labelRect.Right, top, labelRect.Right, top + height, PdfCanvas.Frame);
        canvas.Vertical("备注", labelRect, 9, PdfCanvas.Frame);

        var area = new XRect(labelRect.Right + 8, top + 6, Width - SideLabelWidth - 16, height - 10);
        if (invoice.IsVoid)
        {
            var used = canvas.Wrapped($"作废原因：{invoice.VoidReason}", area, 9, PdfCanvas.Stamp);
            area = new XRect(area.Left, area.Top + used, area.Width, Math.Max(0, area.Height - used));
        }

        if (!string.IsNullOrWhiteSpace(invoice.Remarks)) canvas.Wrapped(invoice.Remarks, area, 9);
        return top + height;
    }

    private static void DrawFooter(PdfCanvas canvas, InvoiceDocument invoice, double top)
    {
        var y = top + 8;
        canvas.Text($"开票方：{invoice.Seller.Name}", new XRect(Left, y, Width / 2, 14), 9, XStringFormats.CenterLeft, PdfCanvas.Muted);
        canvas.Text($"扫描左上角二维码查验：{invoice.VerificationUrl.AbsoluteUri}", new XRect(Left, y + 14, Width, 14), 8, XStringFormats.CenterLeft, PdfCanvas.Muted);

        var noticeTop = top + 44;
        canvas.Line(Left, noticeTop, Right, noticeTop, PdfCanvas.Muted, 0.4);
        var notice =
            $"本文件是{invoice.PlatformName}平台依据已完成的交易生成的发票凭证，仅供对账与报销参考；" +
            "它不是通过全国增值税发票管理系统（国家税务总局）开具的电子发票，不能作为税务机关认可的发票使用。";
        canvas.Wrapped(notice, new XRect(Left, noticeTop + 5, Width, 30), 8, PdfCanvas.Muted);
    }

    private static void DrawVoidStamp(PdfCanvas canvas, PdfPage page)
    {
        var gfx = canvas.Gfx;
        var center = new XPoint(page.Width.Point / 2, 300);
        var state = gfx.Save();
        gfx.RotateAtTransform(-28, center);
        var color = XColor.FromArgb(150, PdfCanvas.Stamp.R, PdfCanvas.Stamp.G, PdfCanvas.Stamp.B);
        var stamp = new XRect(center.X - 130, center.Y - 62, 260, 124);
        gfx.DrawRoundedRectangle(new XPen(color, 5), stamp, new XSize(24, 24));
        gfx.DrawRoundedRectangle(new XPen(color, 1.5), new XRect(stamp.X + 8, stamp.Y + 8, stamp.Width - 16, stamp.Height - 16), new XSize(18, 18));
        canvas.Text("作　废", stamp, 72, XStringFormats.Center, color, bold: true);
        gfx.Restore(state);
    }
}
