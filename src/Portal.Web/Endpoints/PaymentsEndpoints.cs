using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>Alipay's asynchronous notification (anonymous: trusted only by signature) and the page-pay hand-off.</summary>
public static class PaymentsEndpoints
{
    public static WebApplication MapPaymentsEndpoints(this WebApplication app)
    {
        app.MapPost("/payments/alipay/notify", async (HttpContext http, HandleAlipayNotify.Handler handler) =>
        {
            // The raw body is kept for the log; the fields are decoded once, exactly as posted.
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var raw = await reader.ReadToEndAsync(http.RequestAborted);
            var fields = FormFields(raw);
            // Not the request's token: once verified, a credit must finish even if Alipay hangs up.
            var reply = await handler.HandleAsync(raw, fields, http.Connection.RemoteIpAddress?.ToString(), CancellationToken.None);
            return Results.Text(reply.Body, "text/plain", Encoding.UTF8);
        }).AllowAnonymous().DisableAntiforgery();

        app.MapGet("/payments/alipay/pay/{orderId:guid}", async (Guid orderId, StartPagePay.Handler handler, CancellationToken ct) =>
        {
            var form = await handler.HandleAsync(orderId, ct);
            if (form.IsSuccess) return Results.Content(form.Value!, "text/html; charset=utf-8");
            return form.Error == StartPagePay.NotPayable ? Results.Redirect("/wallet") : ResultHttp.Problem(form.Error!);
        }).RequireAuthorization(Policies.TenantMember);
        return app;
    }

    /// <summary>Form fields in posted order; a repeated name stays repeated (the verifier refuses it).</summary>
    public static List<KeyValuePair<string, string?>> FormFields(string body) =>
        new FormReader(body).ReadForm().SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string?>(f.Key, v))).ToList();
}
