using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>Alipay's and WeChat Pay's asynchronous notifications (anonymous: trusted only by signature) and the page-pay hand-off.</summary>
public static class PaymentsEndpoints
{
    /// <summary>Alipay's and WeChat Pay's notifications are a few kilobytes; anything over this is refused with 413 before it is parsed or logged.</summary>
    public const int NotifyMaxBodyBytes = 64 * 1024;

    public static WebApplication MapPaymentsEndpoints(this WebApplication app)
    {
        app.MapPost("/payments/alipay/notify", async (HttpContext http, HandleAlipayNotify.Handler handler) =>
        {
            // The raw body is kept for the log; the fields are decoded once, exactly as posted.
            var raw = await ReadBoundedAsync(http.Request, NotifyMaxBodyBytes, http.RequestAborted);
            if (raw is null) return Results.Text("body too large", "text/plain", Encoding.UTF8, StatusCodes.Status413PayloadTooLarge);
            var fields = FormFields(raw);
            // Not the request's token: once verified, a credit must finish even if Alipay hangs up.
            var reply = await handler.HandleAsync(raw, fields, http.Connection.RemoteIpAddress?.ToString(), CancellationToken.None);
            return Results.Text(reply.Body, "text/plain", Encoding.UTF8);
        }).AllowAnonymous().DisableAntiforgery().WithMetadata(new AllowCrossSiteAttribute());

        app.MapPost("/payments/wechatpay/notify", async (HttpContext http, HandleWechatPayNotify.Handler handler) =>
        {
            // The signature covers the body byte for byte: read it raw, never through a model binder, and bounded like Alipay's.
            var raw = await ReadBoundedAsync(http.Request, NotifyMaxBodyBytes, http.RequestAborted);
            if (raw is null) return Results.Text(WechatPayNotification.FailBody("body too large"), "application/json", Encoding.UTF8, StatusCodes.Status413PayloadTooLarge);
            var message = WechatPaySignedMessage.From(name => http.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null, raw);
            var reply = await handler.HandleAsync(message, http.Connection.RemoteIpAddress?.ToString(), CancellationToken.None);
            // APIv3: 204 without a body when handled; otherwise 4xx/5xx with {"code":"FAIL","message":…} and WeChat Pay retries.
            return reply.Acknowledged
                ? Results.NoContent()
                : Results.Text(WechatPayNotification.FailBody(reply.Outcome == PaymentNotifyOutcome.Failed ? "处理失败，请重试" : "验证失败"), "application/json", Encoding.UTF8, reply.StatusCode);
        }).AllowAnonymous().DisableAntiforgery().WithMetadata(new AllowCrossSiteAttribute());

        app.MapGet("/payments/alipay/pay/{orderId:guid}", async (Guid orderId, StartPagePay.Handler handler, CancellationToken ct) =>
        {
            var form = await handler.HandleAsync(orderId, ct);
            if (form.IsSuccess) return Results.Content(form.Value!, "text/html; charset=utf-8");
            return form.Error == StartPagePay.NotPayable ? Results.Redirect("/wallet") : ResultHttp.Problem(form.Error!);
        }).RequireAuthorization(Policies.TenantMember);
        return app;
    }

    /// <summary>The body as UTF-8 text, or null when it is longer than <paramref name="maxBytes"/> (declared or actual).</summary>
    private static async Task<string?> ReadBoundedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) return null;
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0) length += read;
        return length > maxBytes ? null : Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>Form fields in posted order; a repeated name stays repeated (the verifier refuses it).</summary>
    public static List<KeyValuePair<string, string?>> FormFields(string body) =>
        new FormReader(body).ReadForm().SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string?>(f.Key, v))).ToList();
}
