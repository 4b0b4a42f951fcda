using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.Alipay.Simulator;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>
/// The built-in Alipay simulator under <c>/_simulator/alipay/</c>: the gateway, the cashier (page pay), the
/// "scan and pay" page behind precreated QR codes, and bill downloads. Answers 404 unless Alipay:Mode is Simulator.
/// Its pages stand in for Alipay's own, so they are plain HTML in Chinese, clearly marked 模拟支付.
/// </summary>
public static class AlipaySimulatorEndpoints
{
    public static WebApplication MapAlipaySimulator(this WebApplication app)
    {
        var sim = app.MapGroup(AlipaySimulator.BasePath).AllowAnonymous().DisableAntiforgery().WithMetadata(new AllowCrossSiteAttribute())
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.RequestServices.GetRequiredService<IOptions<AlipayOptions>>().Value.Mode == AlipayMode.Simulator
                    ? await next(context)
                    : Results.NotFound());

        sim.MapMethods("/gateway.do", ["GET", "POST"], async (HttpContext http, AlipaySimulator simulator) =>
        {
            var fields = new List<KeyValuePair<string, string?>>();
            if (http.Request.HasFormContentType)
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                fields.AddRange(form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string?>(f.Key, v))));
            }

            // Java and Node SDKs put common parameters in the query string; the charset hint may appear in both.
            foreach (var (key, values) in http.Request.Query)
            {
                if (fields.Any(f => f.Key == key)) continue;
                fields.AddRange(values.Select(v => new KeyValuePair<string, string?>(key, v)));
            }

            return await simulator.HandleGatewayAsync(fields, http.RequestAborted) switch
            {
                JsonGatewayAnswer json => Results.Text(json.Body, "application/json", Encoding.UTF8),
                CashierGatewayAnswer cashier => Results.Redirect($"{AlipaySimulator.BasePath}/cashier/{cashier.TradeId}"),
                ErrorPageGatewayAnswer error => Html("支付出错", $"<h2>支付请求有误</h2><p class=\"muted\">{E(error.SubCode)}</p><p class=\"mono\">{E(error.Message)}</p>", HttpStatusCode.BadRequest),
                _ => Results.StatusCode(500),
            };
        });

        sim.MapGet("/cashier/{tradeId:guid}", async (Guid tradeId, AlipaySimulator simulator, CancellationToken ct) =>
            await simulator.GetTradeAsync(tradeId, ct) is { } trade ? Html("收银台", TradePage(trade, $"cashier/{trade.Id}")) : NotFoundPage());

        sim.MapPost("/cashier/{tradeId:guid}/pay", async (Guid tradeId, AlipaySimulator simulator, CancellationToken ct) =>
        {
            var paid = await simulator.PayAsync(tradeId, ct);
            if (!paid.IsSuccess) return Html("支付失败", $"<h2>无法支付</h2><p>{E(paid.Error!.Message)}</p>", HttpStatusCode.Conflict);
            return paid.Value is { } returnUrl ? Results.Redirect(returnUrl) : Html("支付成功", PaidBody());
        });

        sim.MapPost("/cashier/{tradeId:guid}/cancel", async (Guid tradeId, AlipaySimulator simulator, CancellationToken ct) =>
        {
            var trade = await simulator.CancelAsync(tradeId, ct);
            if (trade is null) return NotFoundPage();
            var back = trade.ReturnUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) + "/" : null;
            return Html("已取消", "<h2>已取消付款</h2><p class=\"muted\">交易已关闭，不会扣款。</p>"
                + (back is null ? "" : $"<p><a class=\"button secondary\" href=\"{E(back)}\">返回商户网站</a></p>"));
        });

        sim.MapGet("/qr/{token}", async (string token, AlipaySimulator simulator, CancellationToken ct) =>
            await simulator.ScanAsync(token, ct) is { } trade ? Html("扫码支付", TradePage(trade, $"qr/{Uri.EscapeDataString(token)}")) : NotFoundPage());

        sim.MapPost("/qr/{token}/pay", async (string token, AlipaySimulator simulator, CancellationToken ct) =>
        {
            if (await simulator.ScanAsync(token, ct) is not { } trade) return NotFoundPage();
            var paid = await simulator.PayAsync(trade.Id, ct);
            return paid.IsSuccess ? Html("支付成功", PaidBody()) : Html("支付失败", $"<h2>无法支付</h2><p>{E(paid.Error!.Message)}</p>", HttpStatusCode.Conflict);
        });

        sim.MapGet("/bill/{token}", async (string token, AlipaySimulator simulator, CancellationToken ct) =>
            await simulator.DownloadBillAsync(token, ct) is { } zip ? Results.File(zip, "application/zip", "bill.zip") : Results.NotFound());
        return app;
    }

    private static string TradePage(SimulatorTradeView trade, string actionPath)
    {
        var head = $"""
            <p class="muted">{(trade.IsQr ? "扫码支付" : "电脑网站支付")}</p>
            <div class="amount" data-testid="sim-amount">{E(trade.Amount.ToDisplay())}</div>
            <table>
              <tr><th>商品</th><td>{E(trade.Subject)}</td></tr>
              <tr><th>商户订单号</th><td class="mono">{E(trade.OutTradeNo)}</td></tr>
              <tr><th>支付宝交易号</th><td class="mono">{E(trade.TradeNo)}</td></tr>
              <tr><th>有效期至</th><td>{E(ChinaTime.Format(trade.ExpiresAt, seconds: true))}</td></tr>
            </table>
            """;
        return trade.Status switch
        {
            SimulatorTradeStatus.WaitBuyerPay => head + $"""
                <div class="actions">
                  <form method="post" action="{AlipaySimulator.BasePath}/{actionPath}/pay"><button type="submit" data-testid="sim-pay">确认付款（模拟支付）</button></form>
                  {(trade.IsQr ? "" : $"<form method=\"post\" action=\"{AlipaySimulator.BasePath}/{actionPath}/cancel\"><button type=\"submit\" class=\"secondary\" data-testid=\"sim-cancel\">取消</button></form>")}
                </div>
                """,
            SimulatorTradeStatus.TradeSuccess or SimulatorTradeStatus.TradeFinished => head + "<p class=\"ok\">该交易已支付。</p>",
            _ => head + "<p class=\"bad\">交易已关闭，无法付款。</p>",
        };
    }

    private static string PaidBody() => "<h2 class=\"ok\" data-testid=\"sim-paid\">支付成功</h2><p class=\"muted\">模拟付款已完成，支付结果正在通知商户。可以关闭此页面。</p>";

    private static IResult NotFoundPage() => Html("交易不存在", "<h2>交易不存在</h2><p class=\"muted\">链接无效或已过期。</p>", HttpStatusCode.NotFound);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static IResult Html(string title, string body, HttpStatusCode status = HttpStatusCode.OK) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · 支付宝模拟器</title>
        <style>
          body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; background: #f0f4fa; color: #1f2937; }
          header { background: #1677ff; color: #fff; padding: 14px 24px; font-size: 18px; font-weight: 600; display: flex; justify-content: space-between; align-items: center; }
          header small { font-weight: 400; opacity: .85; font-size: 13px; }
          .banner { background: #fff7e6; border-bottom: 1px solid #ffd591; color: #ad4e00; padding: 10px 24px; font-size: 14px; }
          main { max-width: 520px; margin: 32px auto; background: #fff; border-radius: 12px; padding: 28px 32px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
          .amount { font-size: 40px; font-weight: 700; color: #1677ff; margin: 4px 0 18px; }
          table { width: 100%; border-collapse: collapse; margin-bottom: 20px; font-size: 14px; }
          th { text-align: left; color: #6b7280; font-weight: 400; padding: 6px 0; width: 110px; vertical-align: top; }
          td { padding: 6px 0; word-break: break-all; }
          .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
          .muted { color: #6b7280; }
          .ok { color: #15803d; } .bad { color: #b91c1c; }
          .actions { display: flex; gap: 12px; } .actions form { margin: 0; }
          button, .button { font: inherit; font-size: 16px; border: 0; border-radius: 8px; padding: 11px 22px; background: #1677ff; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
          button.secondary, .button.secondary { background: #fff; color: #1677ff; border: 1px solid #91caff; }
        </style></head>
        <body>
        <header><span>支付宝 · 模拟支付</span><small>Alipay simulator</small></header>
        <div class="banner">这是 Portal 内置的支付宝模拟器（模拟支付），不会产生真实扣款。 · Built-in Alipay simulator: no real money moves.</div>
        <main>{{body}}</main>
        </body></html>
        """, "text/html; charset=utf-8", Encoding.UTF8, (int)status);
}
