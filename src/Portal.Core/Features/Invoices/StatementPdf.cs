using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

/// <summary>Renders a <see cref="StatementDocument"/> as an A4 PDF; the usage table continues onto further pages.</summary>
public static class StatementPdf
{
    private const double Margin = 40;
    private const double Left = Margin;
    private const double Width = 595.28 - 2 * Margin;
    private const double Right = Left + Width;
    private const double PageBottom = 841.89 - 70; // leaves room for the footer
    private const double RowHeight = 19;

    // 模型 | 请求数 | 输入 Token | 输出 Token | 费用 | 套餐抵扣 | 余额扣费
    private static readonly double[] UsageColumns = [125, 55, 70, 70, 65, 65, Width - 125 - 55 - 70 - 70 - 65 - 65];

    /// <summary>The statement as PDF bytes, after <see cref="StatementDocument.EnsureBalanced"/>.</summary>
    /// <param name="statement">The month's figures.</param>
    /// <param name="fontTtf">A single-face TrueType font with CJK glyphs (the app ships WenQuanYi Micro Hei).</param>
    /// <exception cref="InvalidOperationException">The closing balance is not opening + movements.</exception>
    public static byte[] Render(StatementDocument statement, byte[] fontTtf)
    {
        ArgumentNullException.ThrowIfNull(statement);
        statement.EnsureBalanced();
        PortalFontResolver.Install(fontTtf);

        using var document = new PdfDocument();
        document.Info.Title = $"{statement.TenantName} {Period(statement)} 对账单";
        document.Info.Author = statement.PlatformName;

        using (var pages = new PageFlow(document))
        {
            var y = DrawHeader(pages.Canvas, statement);
            y = DrawSummary(pages.Canvas, statement, y);
            DrawUsage(pages, statement, y);
        }

        DrawFooters(document, statement);
        return PdfCanvas.Save(document);
    }

    private static string Period(StatementDocument s) => $"{s.Year}年{s.Month:00}月";

    private static double DrawHeader(PdfCanvas canvas, StatementDocument s)
    {
        var top = Margin;
        canvas.Text("账户对账单", new XRect(Left, top, 250, 30), 22, XStringFormats.CenterLeft, PdfCanvas.Frame, bold: true);
        canvas.Text($"{s.PlatformName} · 月度余额与用量", new XRect(Left, top + 30, 250, 14), 9, XStringFormats.CenterLeft, PdfCanvas.Muted);

        var metaLeft = Right - 220;
        Meta(canvas, "账　　期：", $"{Period(s)}（{s.PeriodStart:yyyy-MM-dd} 至 {s.PeriodEnd:yyyy-MM-dd}）", metaLeft, top + 2);
        Meta(canvas, "生成时间：", s.GeneratedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "（北京时间）", metaLeft, top + 18);
        Meta(canvas, "币　　种：", "人民币（CNY）", metaLeft, top + 34);

        var y = top + 58;
        canvas.Line(Left, y, Right, y, PdfCanvas.Frame, 1.2);
        y += 10;
        canvas.Fill(new XRect(Left, y, Width, 40), PdfCanvas.Shade);
        Meta(canvas, "客户名称：", s.TenantName, Left + 10, y + 4, valueBold: true, valueWidth: Width - 80);
        Meta(canvas, "账户编号：", s.TenantId, Left + 10, y + 20, valueWidth: Width - 80);
        return y + 54;
    }

    private static void Meta(PdfCanvas canvas, string label, string value, double left, double top, bool valueBold = false, double valueWidth = 160)
    {
        canvas.Text(label, new XRect(left, top, 60, 16), 9, XStringFormats.CenterLeft, PdfCanvas.Frame);
        canvas.Text(value, new XRect(left + 58, top, valueWidth, 16), 9, XStringFormats.CenterLeft, null, valueBold);
    }

    private static double DrawSummary(PdfCanvas canvas, StatementDocument s, double top)
    {
        SectionTitle(canvas, "一、余额变动", top);
        var y = top + 22;
        const double tableWidth = 300;
        (string Label, string Sign, Money Amount)[] rows =
        [
            ("期初余额", "", s.OpeningBalance),
            ("充值", "+", s.TopUps),
            ("退款", "−", s.Refunds),
            ("调整", s.Adjustments < Money.Zero ? "−" : "+", s.Adjustments < Money.Zero ? -s.Adjustments : s.Adjustments),
            .. s.ServiceCredits.Select(c => (c.Label, "+", c.Amount)),
            ("套餐购买", "−", s.PlanPurchases),
            ("用量扣费（余额支付部分）", "−", s.UsageCharged),
        ];

        canvas.Box(new XRect(Left, y, tableWidth, RowHeight * (rows.Length + 1)), PdfCanvas.Frame);
        foreach (var (label, sign, amount) in rows)
        {
            canvas.Text(label, new XRect(Left + 10, y, 180, RowHeight), 9.5, XStringFormats.CenterLeft);
            canvas.Text(sign, new XRect(Left + 180, y, 20, RowHeight), 9.5, XStringFormats.Center, PdfCanvas.Muted);
            canvas.Text(amount.ToDisplay(), new XRect(Left + 190, y, tableWidth - 200, RowHeight), 9.5, XStringFormats.CenterRight);
            y += RowHeight;
            canvas.Line(Left, y, Left + tableWidth, y, PdfCanvas.Shade, 0.8);
        }

        canvas.Fill(new XRect(Left + 0.5, y, tableWidth - 1, RowHeight - 0.5), PdfCanvas.Shade);
        canvas.Line(Left, y, Left + tableWidth, y, PdfCanvas.Frame);
        canvas.Text("期末余额", new XRect(Left + 10, y, 180, RowHeight), 10, XStringFormats.CenterLeft, PdfCanvas.Frame, bold: true);
        canvas.Text("=", new XRect(Left + 180, y, 20, RowHeight), 9.5, XStringFormats.Center, PdfCanvas.Muted);
        canvas.Text(s.ClosingBalance.ToDisplay(), new XRect(Left + 190, y, tableWidth - 200, RowHeight), 10, XStringFormats.CenterRight, PdfCanvas.Frame, bold: true);
        var tableBottom = y + RowHeight;

        // Plan credit: reported beside the balance because it never was wallet money.
        var boxLeft = Left + tableWidth + 20;
        var boxWidth = Right - boxLeft;
        var boxTop = top + 22;
        canvas.Box(new XRect(boxLeft, boxTop, boxWidth, RowHeight * 4), PdfCanvas.Frame);
        canvas.Fill(new XRect(boxLeft + 0.5, boxTop + 0.5, boxWidth - 1, RowHeight - 0.5), PdfCanvas.Shade);
        canvas.Text("套餐额度（不计入余额）", new XRect(boxLeft + 10, boxTop, boxWidth - 20, RowHeight), 9.5, XStringFormats.CenterLeft, PdfCanvas.Frame);
        PlanRow(canvas, "本月套餐抵扣", s.PlanCreditUsed, boxLeft, boxTop + RowHeight, boxWidth);
        PlanRow(canvas, "本月过期额度", s.ExpiredPlanCredit, boxLeft, boxTop + RowHeight * 2, boxWidth);
        PlanRow(canvas, "用量总费用", s.UsageCost, boxLeft, boxTop + RowHeight * 3, boxWidth);

        var note = "期末余额 = 期初余额 + 充值 − 退款 ± 调整 + SLA 补偿与用量返利 − 套餐购买 − 用量扣费。套餐额度在购买套餐时已由余额支付，抵扣与过期均不再变动余额。";
        var used = canvas.Wrapped(note, new XRect(boxLeft, boxTop + RowHeight * 4 + 8, boxWidth, 60), 8, PdfCanvas.Muted);
        return Math.Max(tableBottom, boxTop + RowHeight * 4 + 8 + used) + 18;
    }

    private static void PlanRow(PdfCanvas canvas, string label, Money amount, double left, double top, double width)
    {
        canvas.Text(label, new XRect(left + 10, top, width / 2, RowHeight), 9.5, XStringFormats.CenterLeft);
        canvas.Text(amount.ToDisplay(), new XRect(left + width / 2, top, width / 2 - 10, RowHeight), 9.5, XStringFormats.CenterRight);
    }

    private static void SectionTitle(PdfCanvas canvas, string title, double top)
    {
        canvas.Fill(new XRect(Left, top + 3, 3, 12), PdfCanvas.Frame);
        canvas.Text(title, new XRect(Left + 8, top, Width, 18), 11, XStringFormats.CenterLeft, PdfCanvas.Frame, bold: true);
    }

    private static void DrawUsage(PageFlow pages, StatementDocument s, double top)
    {
        var canvas = pages.Canvas;
        SectionTitle(canvas, "二、用量明细（按模型）", top);
        var y = UsageHeader(canvas, top + 22);
        if (s.Usage.Count == 0)
        {
            canvas.Text("本月无用量。", new XRect(Left + 6, y, Width, RowHeight), 9, XStringFormats.CenterLeft, PdfCanvas.Muted);
            y += RowHeight;
        }

        foreach (var line in s.Usage)
        {
            if (y + RowHeight * 2 > PageBottom)
            {
                canvas = pages.Next();
                SectionTitle(canvas, "二、用量明细（续）", Margin);
                y = UsageHeader(canvas, Margin + 22);
            }

            UsageRow(canvas, y, false, line.Model, PdfCanvas.Count(line.Requests), PdfCanvas.Count(line.InputTokens), PdfCanvas.Count(line.OutputTokens),
                PdfCanvas.Amount(line.Cost), PdfCanvas.Amount(line.PlanCreditUsed), PdfCanvas.Amount(line.WalletCharged));
            y += RowHeight;
        }

        UsageRow(canvas, y, true, "合计", PdfCanvas.Count(s.Usage.Sum(u => u.Requests)), PdfCanvas.Count(s.Usage.Sum(u => u.InputTokens)),
            PdfCanvas.Count(s.Usage.Sum(u => u.OutputTokens)), PdfCanvas.Amount(s.UsageCost), PdfCanvas.Amount(s.PlanCreditUsed), PdfCanvas.Amount(s.UsageCharged));
        y += RowHeight;
        canvas.Line(Left, y, Right, y, PdfCanvas.Frame, 1);
    }

    private static double UsageHeader(PdfCanvas canvas, double top)
    {
        string[] headers = ["模型", "请求数", "输入 Token", "输出 Token", "费用（元）", "套餐抵扣", "余额扣费"];
        canvas.Fill(new XRect(Left, top, Width, RowHeight), PdfCanvas.Shade);
        canvas.Line(Left, top, Right, top, PdfCanvas.Frame, 1);
        var x = Left;
        for (var c = 0; c < headers.Length; c++)
        {
            canvas.Text(headers[c], new XRect(x + 5, top, UsageColumns[c] - 10, RowHeight), 9, c == 0 ? XStringFormats.CenterLeft : XStringFormats.CenterRight, PdfCanvas.Frame);
            x += UsageColumns[c];
        }

        canvas.Line(Left, top + RowHeight, Right, top + RowHeight, PdfCanvas.Frame);
        return top + RowHeight;
    }

    private static void UsageRow(PdfCanvas canvas, double top, bool total, params string[] cells)
    {
        if (total)
        {
            canvas.Fill(new XRect(Left, top, Width, RowHeight), PdfCanvas.Shade);
            canvas.Line(Left, top, Right, top, PdfCanvas.Frame);
        }

        var x = Left;
        for (var c = 0; c < cells.Length; c++)
        {
            var cell = new XRect(x + 5, top, UsageColumns[c] - 10, RowHeight);
            var text = cells[c];
            while (c == 0 && text.Length > 1 && canvas.Width(text, 9) > cell.Width) text = text[..^2] + "…";
            canvas.Text(text, cell, 9, c == 0 ? XStringFormats.CenterLeft : XStringFormats.CenterRight, total ? PdfCanvas.Frame : null, total);
            x += UsageColumns[c];
        }

        if (!total) canvas.Line(Left, top + RowHeight, Right, top + RowHeight, XColor.FromArgb(230, 225, 220), 0.5);
    }

    private static void DrawFooters(PdfDocument document, StatementDocument s)
    {
        var notice = $"金额单位为人民币元，显示时四舍五入至分；计费按 0.000001 元精度进行，精确明细见 CSV 导出。本对账单由{s.PlatformName}平台生成，仅供对账，不是发票。";
        for (var i = 0; i < document.PageCount; i++)
        {
            using var gfx = XGraphics.FromPdfPage(document.Pages[i], XGraphicsPdfPageOptions.Append);
            var canvas = new PdfCanvas(gfx);
            var top = 841.89 - 58;
            canvas.Line(Left, top, Right, top, PdfCanvas.Muted, 0.4);
            canvas.Wrapped(notice, new XRect(Left, top + 4, Width - 70, 30), 7.5, PdfCanvas.Muted);
            canvas.Text($"第 {i + 1} 页 / 共 {document.PageCount} 页", new XRect(Right - 70, top + 4, 70, 12), 7.5, XStringFormats.CenterRight, PdfCanvas.Muted);
        }
    }

    /// <summary>The page being drawn on; <see cref="Next"/> closes it and starts another A4 page.</summary>
    private sealed class PageFlow : IDisposable
    {
        private readonly PdfDocument document;
        private XGraphics gfx;

        public PageFlow(PdfDocument document)
        {
            this.document = document;
            gfx = Open();
            Canvas = new PdfCanvas(gfx);
        }

        public PdfCanvas Canvas { get; private set; }

        public PdfCanvas Next()
        {
            gfx.Dispose();
            gfx = Open();
            Canvas = new PdfCanvas(gfx);
            return Canvas;
        }

        public void Dispose() => gfx.Dispose();

        private XGraphics Open()
        {
            var page = document.AddPage();
            page.Size = PageSize.A4;
            page.Orientation = PageOrientation.Portrait;
            return XGraphics.FromPdfPage(page);
        }
    }
}
