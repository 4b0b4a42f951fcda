using Portal.Core.Common;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.Web.Hosting;
using static Portal.Web.Endpoints.ApiMoney;

namespace Portal.Web.Endpoints;

/// <summary>JSON API over the tenant's transfer top-ups (对公转账). Amounts travel as yuan strings.</summary>
public static class BankTransferApi
{
    public sealed record CreateRequest(string Amount);

    public sealed record TransferResponse(
        Guid Id, string RemittanceCode, string Amount, BankTransferStatus Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
        string? ReceivedAmount, string? RejectionReason, ReceivingAccount Account);

    public static WebApplication MapBankTransferApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant/bank-transfers").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        api.MapGet("/", async (BankTransferQueries q, CancellationToken ct) => (await q.ListMineAsync(50, ct)).ToHttp(list => Results.Ok(list.Select(t => Response(t, q.Account)))));

        api.MapGet("/{id:guid}", async (Guid id, BankTransferQueries q, CancellationToken ct) => (await q.GetMineAsync(id, ct)).ToHttp(t => Results.Ok(Response(t, q.Account))));

        api.MapPost("/", async (CreateRequest body, CreateBankTransfer.Handler h, BankTransferQueries q, CancellationToken ct) =>
        {
            if (!Money.TryParseYuan(body.Amount, out var amount))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["Amount"] = ["Enter an amount in yuan."] });
            var created = await h.HandleAsync(new CreateBankTransfer.Command(amount), ct);
            return created.IsSuccess
                ? Results.Created($"/api/tenant/bank-transfers/{created.Value.Id}", Response(created.Value, q.Account))
                : ResultHttp.Problem(created.Error!);
        });

        api.MapPost("/{id:guid}/cancel", async (Guid id, CancelBankTransfer.Handler h, BankTransferQueries q, CancellationToken ct) =>
            (await h.HandleAsync(new CancelBankTransfer.Command(id), ct)).ToHttp(t => Results.Ok(Response(t, q.Account))));
        return app;
    }

    private static TransferResponse Response(BankTransferView t, ReceivingAccount account) =>
        new(t.Id, t.RemittanceCode, Yuan(t.Amount), t.Status, t.CreatedAt, t.ExpiresAt, t.ReceivedAmount is { } r ? Yuan(r) : null, t.RejectionReason, account);
}
