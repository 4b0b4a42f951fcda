using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Payments.WechatPay.Simulator;

namespace Portal.Web.Endpoints;

/// <summary>
/// The built-in WeChat Pay simulator under <c>/_simulator/wechatpay/</c>: the APIv3 surface (<c>/v3/…</c>), and the
/// "scan and pay" page behind code_url and h5_url. Answers 404 unless WechatPay:Mode is Simulator. Its pages stand in
/// for WeChat's own, so they are plain HTML in Chinese, clearly marked 模拟支付.
/// </summary>
public static class WechatPaySimulatorEndpoints
{
    public static WebApplication MapWechatPaySimulator(this WebApplication app)
    {
        var sim = app.MapGroup(WechatPaySimulator.BasePath).AllowAnonymous().DisableAntiforgery()
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.RequestServices.GetRequiredService<IOptions<WechatPayOptions>>().Value.Mode == WechatPayMode.Simulator
                    ? await next(context)
                    : Results.NotFound());

        sim.Map("/v3/{**rest}", async (HttpContext http, WechatPaySimulator simulator) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            var pathAndQuery = http.Request.Path.Value![WechatPaySimulator.BasePath.Length..] + http.Request.QueryString.Value;
            var answer = await simulator.HandleAsync(http.Request.Method, pathAndQuery, http.Request.Headers.Authorization.ToString(),
                http.Request.Headers.TryGetValue(WechatPaySignedMessage.SerialHeader, out var serial) ? serial.ToString() : null, body, http.RequestAborted);
            if (answer.File is { } file) return Results.File(file, "application/octet-stream", "tradebill.gz");
            foreach (var (name, value) in answer.Headers) http.Response.Headers[name] = value;
            return answer.Status == 204 ? Results.StatusCode(204) : Results.Text(answer.Body, "application/json", Encoding.UTF8, answer.Status);
        });

        sim.MapGet("/pay/{token}", async (string token, WechatPaySimulator simulator, CancellationToken ct) =>
            await simulator.GetByTokenAsync(token, ct) is { } trade ? Html("扫码支付", TradePage(trade, token)) : NotFoundPage());
        sim.MapGet("/h5/{token}", async (string token, WechatPaySimulator simulator, CancellationToken ct) =>
            await simulator.GetByTokenAsync(token, ct) is { } trade ? Html("H5 支付", TradePage(trade, token)) : NotFoundPage());
        sim.MapPost("/pay/{token}/pay", async (string token, WechatPaySimulator simulator, CancellationToken ct) =>
        {
            var paid = await simulator.PayAsync(token, ct);
            return paid.IsSuccess ? Html("支付成功", PaidBody()) : Html("支付失败", $"<h2>无法支付</h2><p>{E(paid.Error!.Message)}</p>", HttpStatusCode.Conflict);
        });
        return app;
    }

    private static string TradePage(WechatSimulatorTradeView trade, string token)
    {
        var head = $"""
            <p class="muted">{(trade.TradeType == "MWEB" ? "H5 支付（手机浏览器）" : "Native 扫码支付")}</p>
            <div class="amount" data-testid="sim-amount">{E(trade.Amount.ToDisplay())}</div>
            <table>
              <tr><th>商品</th><td>{E(trade.Description)}</td></tr>
              <tr><th>商户订单号</th><td class="mono">{E(trade.OutTradeNo)}</td></tr>
              <tr><th>微信支付订单号</th><td class="mono">{E(trade.TransactionId ?? "—")}</td></tr>
              <tr><th>有效期至</th><td>{E(ChinaTime.Format(trade.ExpiresAt, seconds: true))}</td></tr>
            </table>
            """;
        return trade.TradeState switch
        {
            "NOTPAY" => head + $"""
                <div class="actions">
                  <form method="post" action="{WechatPaySimulator.BasePath}/pay/{Uri.EscapeDataString(token)}/pay"><button type="submit" data-testid="sim-pay">确认支付（模拟支付）</button></form>
                </div>
                """,
            "SUCCESS" or "REFUND" => head + "<p class=\"ok\">该订单已支付。</p>",
            _ => head + "<p class=\"bad\">订单已关闭，无法支付。</p>",
        };
    }

    private static string PaidBody() => "<h2 class=\"ok\" data-testid=\"sim-paid\">支付成功</h2><p class=\"muted\">模拟付款已完成，支付结果正在通知商户。可以关闭此页面。</p>";

    private static IResult NotFoundPage() => Html("订单不存在", "<h2>订单不存在</h2><p class=\"muted\">链接无效或已过期。</p>", HttpStatusCode.NotFound);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static IResult Html(string title, string body, HttpStatusCode status = HttpStatusCode.OK) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · 微信支付模拟器</title>
        <style>
          body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; background: #f2f7f3; color: #1f2937; }
          header { background: #07c160; color: #fff; padding: 14px 24px; font-size: 18px; font-weight: 600; display: flex; justify-content: space-between; align-items: center; }
          header small { font-weight: 400; opacity: .85; font-size: 13px; }
          .banner { background: #fff7e6; border-bottom: 1px solid #ffd591; color: #ad4e00; padding: 10px 24px; font-size: 14px; }
          main { max-width: 520px; margin: 32px auto; background: #fff; border-radius: 12px; padding: 28px 32px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
          .amount { font-size: 40px; font-weight: 700; color: #07c160; margin: 4px 0 18px; }
          table { width: 100%; border-collapse: collapse; margin-bottom: 20px; font-size: 14px; }
          th { text-align: left; color: #6b7280; font-weight: 400; padding: 6px 0; width: 110px; vertical-align: top; }
          td { padding: 6px 0; word-break: break-all; }
          .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
          .muted { color: #6b7280; }
          .ok { color: #15803d; } .bad { color: #b91c1c; }
          .actions { display: flex; gap: 12px; } .actions form { margin: 0; }
          button { font: inherit; font-size: 16px; border: 0; border-radius: 8px; padding: 11px 22px; background: #07c160; color: #fff; cursor: pointer; }
        </style></head>
        <body>
        <header><span>微信支付 · 模拟支付</span><small>WeChat Pay simulator</small></header>
        <div class="banner">这是 Portal 内置的微信支付模拟器（模拟支付），不会产生真实扣款。 · Built-in WeChat Pay simulator: no real money moves.</div>
        <main>{{body}}</main>
        </body></html>
        """, "text/html; charset=utf-8", Encoding.UTF8, (int)status);
}
