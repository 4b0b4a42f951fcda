using Portal.Core.Common;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Wallet;
using Portal.Web.Hosting;
using static Portal.Web.Endpoints.ApiMoney;

namespace Portal.Web.Endpoints;

/// <summary>
/// JSON API over the wallet and top-up use cases for the signed-in user's current tenant. Amounts travel as yuan
/// strings (<c>"100.00"</c>) so no client ever rounds money through a float.
/// </summary>
public static class WalletApi
{
    public sealed record TopUpRequest(string Amount, PaymentChannel Channel);

    public sealed record WalletResponse(string Balance, string CreditLimit, string Reserved, string Available, long BalanceMicroYuan, long AvailableMicroYuan);

    public sealed record TopUpResponse(Guid Id, string OrderNo, string Amount, PaymentChannel Channel, TopUpStatus Status, DateTimeOffset ExpiresAt, DateTimeOffset? PaidAt, string? QrCode, string? PayUrl, string Refunded);

    public static WebApplication MapWalletApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        api.MapGet("/wallet", async (WalletQueries q, CancellationToken ct) => (await q.GetMineAsync(ct)).ToHttp(w =>
            Results.Ok(new WalletResponse(Yuan(w.Balance), Yuan(w.CreditLimit), Yuan(w.Reserved), Yuan(w.Available), w.Balance.MicroYuan, w.Available.MicroYuan))));

        api.MapGet("/top-ups", async (TopUpQueries q, CancellationToken ct) => (await q.ListMineAsync(50, ct)).ToHttp(list => Results.Ok(list.Select(Response))));

        api.MapGet("/top-ups/{id:guid}", async (Guid id, TopUpQueries q, CancellationToken ct) => (await q.GetMineAsync(id, ct)).ToHttp(o => Results.Ok(Response(o))));

        api.MapPost("/top-ups", async (TopUpRequest body, HttpContext http, CreateTopUp.Handler h, TopUpQueries q, CancellationToken ct) =>
        {
            if (!Money.TryParseYuan(body.Amount, out var amount))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["Amount"] = ["Enter an amount in yuan."] });
            var started = await h.HandleAsync(new CreateTopUp.Command(amount, body.Channel, http.Connection.RemoteIpAddress?.ToString()), ct);
            if (!started.IsSuccess) return ResultHttp.Problem(started.Error!);
            var order = await q.GetMineAsync(started.Value!.OrderId, ct);
            return Results.Created($"/api/tenant/top-ups/{started.Value.OrderId}", Response(order.Value!));
        });

        api.MapPost("/top-ups/{id:guid}/cancel", async (Guid id, CancelTopUp.Handler h, TopUpQueries q, CancellationToken ct) =>
        {
            var cancelled = await h.HandleAsync(new CancelTopUp.Command(id), ct);
            return cancelled.IsSuccess ? (await q.GetMineAsync(id, ct)).ToHttp(o => Results.Ok(Response(o))) : ResultHttp.Problem(cancelled.Error!);
        });
        return app;
    }

    private static TopUpResponse Response(TopUpView o) =>
        new(o.Id, o.OrderNo, Yuan(o.Amount), o.Channel, o.Status, o.ExpiresAt, o.PaidAt, o.Channel == PaymentChannel.WechatH5 ? null : o.QrCode, PayUrl(o), Yuan(o.Refunded));

    /// <summary>Where the buyer's browser goes to pay: the Alipay cashier hand-off, or WeChat Pay's h5_url.</summary>
    private static string? PayUrl(TopUpView o) => o.Status != TopUpStatus.Pending ? null : o.Channel switch
    {
        PaymentChannel.AlipayPage => $"/payments/alipay/pay/{o.Id}",
        PaymentChannel.WechatH5 => o.QrCode,
        _ => null,
    };
}
