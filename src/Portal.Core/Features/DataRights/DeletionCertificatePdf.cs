using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Portal.Core.Common;
using Portal.Core.Features.Invoices;

namespace Portal.Core.Features.DataRights;

/// <summary>What a deletion certificate says: the account, what was deleted when, what is kept until when.</summary>
public sealed record DeletionCertificate(
    string TenantName, Guid TenantId, DateTimeOffset ClosedAt, DateTimeOffset DeletedAt, IReadOnlyList<DeletedItem> Deleted, IReadOnlyList<RetainedItem> Retained,
    Money Refund, string? RefundNo, Uri VerificationUrl, string PlatformName);

/// <summary>One kind of data deleted or anonymised, and how many records.</summary>
public sealed record DeletedItem(string Code, string Chinese, int Count);

/// <summary>One kind of record kept, why and until when.</summary>
public sealed record RetainedItem(string Chinese, string Basis, DateTimeOffset Until);

/// <summary>Renders a <see cref="DeletionCertificate"/> as a one-page A4 PDF in the invoice's style, with the same QR code mechanism.</summary>
public static class DeletionCertificatePdf
{
    public const string Title = "数据删除证明";

    private const double Margin = 40;
    private const double Left = Margin;
    private const double Width = 595.28 - 2 * Margin;

    public static byte[] Render(DeletionCertificate certificate, byte[] fontTtf)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        PortalFontResolver.Install(fontTtf);
        using var document = new PdfDocument();
        document.Info.Title = $"{Title} {certificate.TenantName}";
        document.Info.Author = certificate.PlatformName;
        var page = document.AddPage();
        page.Size = PageSize.A4;
        page.Orientation = PageOrientation.Portrait;
        using (var gfx = XGraphics.FromPdfPage(page))
        {
            var canvas = new PdfCanvas(gfx);
            const double qr = 76;
            InvoicePdf.DrawQrCode(gfx, certificate.VerificationUrl, new XRect(Left - 4, Margin - 4, qr, qr));
            canvas.Text(Title, new XRect(Left, Margin + 6, Width, 30), 22, XStringFormats.Center, PdfCanvas.Frame, bold: true);
            canvas.Text("Data deletion certificate", new XRect(Left, Margin + 38, Width, 14), 9, XStringFormats.Center, PdfCanvas.Muted);

            var y = Margin + qr + 10;
            y = Row(canvas, "账户名称", certificate.TenantName, y);
            y = Row(canvas, "账户编号", certificate.TenantId.ToString(), y);
            y = Row(canvas, "注销时间", Time(certificate.ClosedAt), y);
            y = Row(canvas, "删除时间", Time(certificate.DeletedAt), y);
            y = Row(canvas, "余额退款", certificate.RefundNo is null ? "无余额（¥0.00）" : $"{certificate.Refund.ToDisplay()}（退款单号 {certificate.RefundNo}，按原路退回）", y);

            y += 10;
            canvas.Text("已删除或匿名化的数据", new XRect(Left, y, Width, 18), 12, XStringFormats.CenterLeft, PdfCanvas.Frame, bold: true);
            y += 22;
            foreach (var item in certificate.Deleted)
                y = Row(canvas, item.Chinese, $"{PdfCanvas.Count(item.Count)} 条 · 删除于 {Time(certificate.DeletedAt)}", y, labelWidth: 200);

            y += 10;
            canvas.Text("依法保留的记录", new XRect(Left, y, Width, 18), 12, XStringFormats.CenterLeft, PdfCanvas.Frame, bold: true);
            y += 22;
            foreach (var item in certificate.Retained)
                y = Row(canvas, item.Chinese, $"保留至 {PdfCanvas.ChineseDate(DateOnly.FromDateTime(ChinaTime.ToChina(item.Until).Date))}（{item.Basis}）", y, labelWidth: 200);

            y += 14;
            y += canvas.Wrapped("平台不保存任何请求的提示词或回答内容。保留期满后，上述记录将被删除。", new XRect(Left, y, Width, 36), 10, PdfCanvas.Muted);
            y += 6;
            canvas.Wrapped($"验证：扫描左上角二维码或访问 {certificate.VerificationUrl.AbsoluteUri}，核对本证明的内容与 SHA-256 摘要。", new XRect(Left, y, Width, 40), 9, PdfCanvas.Muted);
            canvas.Text($"{certificate.PlatformName} · {Time(certificate.ClosedAt)}", new XRect(Left, 841.89 - Margin - 14, Width, 14), 9, XStringFormats.CenterRight, PdfCanvas.Muted);
        }

        return PdfCanvas.Save(document);
    }

    private static double Row(PdfCanvas canvas, string label, string value, double y, double labelWidth = 90)
    {
        canvas.Text(label, new XRect(Left, y, labelWidth, 16), 10, XStringFormats.CenterLeft, PdfCanvas.Frame);
        var used = canvas.Wrapped(value, new XRect(Left + labelWidth, y + 1, Width - labelWidth, 48), 10);
        canvas.Line(Left, y + Math.Max(16, used) + 2, Left + Width, y + Math.Max(16, used) + 2, PdfCanvas.Shade);
        return y + Math.Max(16, used) + 5;
    }

    private static string Time(DateTimeOffset at) => ChinaTime.ToChina(at).ToString("yyyy年MM月dd日 HH:mm", CultureInfo.InvariantCulture);
}
