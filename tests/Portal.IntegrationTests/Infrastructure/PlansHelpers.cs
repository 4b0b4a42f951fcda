using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Plans;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Wallet;

namespace Portal.IntegrationTests.Infrastructure;

public sealed record PlanPurchase(Guid SubscriptionId, string PlanName, string Price, string Credit, DateTimeOffset PeriodEndAt, string CarriedOver, DateTimeOffset? CarryoverExpiresAt, bool AlreadyApplied);

public sealed record PlanState(
    Guid? SubscriptionId, string? PlanName, bool AutoRenew, int PeriodNo, DateTimeOffset? PeriodStartAt, DateTimeOffset? PeriodEndAt,
    string PeriodCredit, string CreditUsedThisPeriod, string CreditLeft, string CarryoverLeft, DateTimeOffset? CarryoverExpiresAt, string NextPrice);

public sealed record ProblemBody(string? Title, string? Detail, string? Code);

/// <summary>Arranges plans through the operator use cases and the tenant's JSON API.</summary>
public static class PlansHelpers
{
    public static async Task<Plan> CreatePlanAsync(this PortalFactory factory, string name, long priceYuan, long creditYuan, int order = 10)
    {
        await using var scope = await factory.OperatorScopeAsync();
        var saved = await scope.ServiceProvider.GetRequiredService<SavePlan.Handler>()
            .HandleAsync(new SavePlan.Command(null, name, $"{name}：适合测试", Money.FromYuan(priceYuan), Money.FromYuan(creditYuan), order));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
        return saved.Value!;
    }

    public static Task<HttpResponseMessage> BuyPlanAsync(this PortalClient client, Guid planId, Guid? requestId = null, bool autoRenew = true) =>
        client.PostJsonAsync($"/api/tenant/plans/{planId}/purchase", new { requestId = requestId ?? Guid.NewGuid(), autoRenew });

    public static async Task<PlanPurchase> BoughtAsync(this HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"purchase: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PlanPurchase>(PortalClient.Json))!;
    }

    public static async Task<ProblemBody> ProblemAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemBody>(PortalClient.Json))!;

    public static Task<PlanState> PlanAsync(this PortalClient client) => client.GetJsonAsync<PlanState>("/api/tenant/plan");

    public static async Task<List<PlanSubscription>> SubscriptionsAsync(this PortalFactory factory, Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        return await db.PlanSubscriptions.IgnoreTenantFilter().AsNoTracking().Where(s => s.TenantId == tenantId).OrderBy(s => s.CreatedAt).ToListAsync();
    }

    public static async Task<List<PlanCreditEvent>> CreditEventsAsync(this PortalFactory factory, Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        return await db.PlanCreditEvents.IgnoreTenantFilter().AsNoTracking().Where(e => e.TenantId == tenantId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync();
    }

    /// <summary>
    /// Stands in for the relay's settlement until it is merged: under the wallet row's lock (an UPDATE), draws
    /// <paramref name="amount"/> of plan credit the way settlement does (<see cref="Wallet.DrawPlanCredit"/>), recording
    /// no wallet charge (so the ledger invariant is untouched).
    /// </summary>
    public static async Task<Money> UsePlanCreditAsync(this PortalFactory factory, Guid tenantId, Money amount)
    {
        await using var db = await factory.DbAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = factory.Clock.GetUtcNow();
        await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(w => w.UpdatedAt, now));
        var wallet = await db.Wallets.IgnoreTenantFilter().SingleAsync(w => w.TenantId == tenantId);
        var taken = wallet.DrawPlanCredit(amount, now);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return taken;
    }

    public static async Task<int> RunRenewalsAsync(this PortalFactory factory)
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<PlanRenewalJob>().RunAsync(CancellationToken.None);
    }

    public static async Task<int> RunRemindersAsync(this PortalFactory factory)
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<PlanReminderJob>().RunAsync(CancellationToken.None);
    }

    public static async Task<int> EmailsAsync(this PortalFactory factory, string to, string kind)
    {
        await using var db = await factory.DbAsync();
        return await db.OutboxMessages.CountAsync(m => m.To == to && m.Kind == kind);
    }
}
