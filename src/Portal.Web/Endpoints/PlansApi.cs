using System.Globalization;
using Portal.Core.Common;
using Portal.Core.Features.Plans;
using Portal.Web.Hosting;
using static Portal.Web.Endpoints.ApiMoney;

namespace Portal.Web.Endpoints;

/// <summary>JSON API over the plan catalogue and the current tenant's subscription. Amounts travel as yuan strings.</summary>
public static class PlansApi
{
    public sealed record PurchaseRequest(Guid RequestId, bool AutoRenew = true);

    public sealed record AutoRenewRequest(bool AutoRenew);

    public sealed record OfferResponse(Guid Id, string Name, string Description, string Price, string Credit, decimal SavingPercent);

    public sealed record PurchaseResponse(Guid SubscriptionId, string PlanName, string Price, string Credit, DateTimeOffset PeriodEndAt, string CarriedOver, DateTimeOffset? CarryoverExpiresAt, bool AlreadyApplied);

    public sealed record SummaryResponse(
        Guid? SubscriptionId, string? PlanName, bool AutoRenew, int PeriodNo, DateTimeOffset? PeriodStartAt, DateTimeOffset? PeriodEndAt,
        string PeriodCredit, string CreditUsedThisPeriod, string CreditLeft, string CarryoverLeft, DateTimeOffset? CarryoverExpiresAt, string NextPrice);

    public static WebApplication MapPlansApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        api.MapGet("/plans", async (PlanQueries q, CancellationToken ct) =>
            Results.Ok((await q.ListCatalogueAsync(ct)).Select(o => new OfferResponse(o.Id, o.Name, o.Description, Yuan(o.Price), Yuan(o.Credit), o.SavingPercent))));

        api.MapPost("/plans/{id:guid}/purchase", async (Guid id, PurchaseRequest body, PurchasePlan.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new PurchasePlan.Command(id, body.RequestId, body.AutoRenew), ct)).ToHttp(p => Results.Ok(
                new PurchaseResponse(p.SubscriptionId, p.PlanName, Yuan(p.Price), Yuan(p.Credit), p.PeriodEndAt, Yuan(p.CarriedOver), p.CarryoverExpiresAt, p.AlreadyApplied))));

        api.MapGet("/plan", async (PlanQueries q, CancellationToken ct) => (await q.GetMineAsync(ct)).ToHttp(s => Results.Ok(Summary(s))));

        api.MapPost("/plan/auto-renew", async (AutoRenewRequest body, SetAutoRenew.Handler h, PlanQueries q, CancellationToken ct) =>
        {
            var set = await h.HandleAsync(new SetAutoRenew.Command(body.AutoRenew), ct);
            return set.IsSuccess ? (await q.GetMineAsync(ct)).ToHttp(s => Results.Ok(Summary(s))) : ResultHttp.Problem(set.Error!);
        });
        return app;
    }

    private static SummaryResponse Summary(PlanSummary s) =>
        new(s.SubscriptionId, s.PlanName, s.AutoRenew, s.PeriodNo, s.PeriodStartAt, s.PeriodEndAt, Yuan(s.PeriodCredit), Yuan(s.CreditUsedThisPeriod),
            Yuan(s.CreditLeft), Yuan(s.CarryoverLeft), s.CarryoverExpiresAt, Yuan(s.NextPrice));
}
