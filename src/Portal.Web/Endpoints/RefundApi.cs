using Portal.Core.Common;
using Portal.Core.Features.Payments.Refunds;
using Portal.Web.Hosting;
using static Portal.Web.Endpoints.ApiMoney;

namespace Portal.Web.Endpoints;

/// <summary>JSON API over the tenant's refunds of unused balance. Amounts travel as yuan strings.</summary>
public static class RefundApi
{
    public sealed record CreateRequest(string Amount, string? Reason);

    public sealed record RefundableResponse(string Balance, string Reserved, string Refundable, string Invoiced, bool LimitedByInvoices);

    public sealed record AllocationResponse(
        int Position, RefundAllocationKind Kind, string Amount, RefundAllocationStatus Status, string OutRequestNo, string? Source, string? BankReference, DateTimeOffset? CompletedAt);

    public sealed record RefundResponse(
        Guid Id, string RefundNo, string Amount, string Held, RefundStatus Status, string? Reason, DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt,
        string? RejectionReason, DateTimeOffset? CompletedAt, IReadOnlyList<AllocationResponse> Allocations);

    public static WebApplication MapRefundApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant/refunds").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        api.MapGet("/", async (RefundQueries q, CancellationToken ct) => (await q.ListMineAsync(50, ct)).ToHttp(list => Results.Ok(list.Select(Response))));

        api.MapGet("/refundable", async (RefundQueries q, CancellationToken ct) =>
            (await q.RefundableAsync(ct)).ToHttp(r => Results.Ok(new RefundableResponse(Yuan(r.Balance), Yuan(r.Reserved), Yuan(r.Refundable), Yuan(r.Invoiced), r.LimitedByInvoices))));

        api.MapGet("/{id:guid}", async (Guid id, RefundQueries q, CancellationToken ct) => (await q.GetMineAsync(id, ct)).ToHttp(r => Results.Ok(Response(r))));

        api.MapPost("/", async (CreateRequest body, RequestRefund.Handler h, CancellationToken ct) =>
        {
            if (!Money.TryParseYuan(body.Amount, out var amount))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["Amount"] = ["Enter an amount in yuan."] });
            var created = await h.HandleAsync(new RequestRefund.Command(amount, body.Reason), ct);
            return created.IsSuccess ? Results.Created($"/api/tenant/refunds/{created.Value.Id}", Response(created.Value)) : ResultHttp.Problem(created.Error!);
        });

        api.MapPost("/{id:guid}/cancel", async (Guid id, CancelRefund.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new CancelRefund.Command(id), ct)).ToHttp(r => Results.Ok(Response(r))));
        return app;
    }

    private static RefundResponse Response(RefundView r) =>
        new(r.Id, r.RefundNo, Yuan(r.Amount), Yuan(r.Held), r.Status, r.Reason, r.RequestedAt, r.DecidedAt, r.RejectionReason, r.CompletedAt,
            r.Allocations.Select(a => new AllocationResponse(a.Position, a.Kind, Yuan(a.Amount), a.Status, a.OutRequestNo, a.Source, a.BankReference, a.CompletedAt)).ToList());
}
