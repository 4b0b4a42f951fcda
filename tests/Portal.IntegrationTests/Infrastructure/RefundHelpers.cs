using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Refunds;

namespace Portal.IntegrationTests.Infrastructure;

public sealed record RefundPart(int Position, RefundAllocationKind Kind, string Amount, RefundAllocationStatus Status, string OutRequestNo, string? Source, string? BankReference);

public sealed record Refund(Guid Id, string RefundNo, string Amount, string Held, RefundStatus Status, string? Reason, string? RejectionReason, List<RefundPart> Allocations);

public sealed record RefundableAmount(string Balance, string Reserved, string Refundable, string Invoiced = "0.00", bool LimitedByInvoices = false);

/// <summary>Arranges refunds through the tenant API and the finance use cases, and relay holds the way the relay takes them.</summary>
public static class RefundHelpers
{
    public static Task<HttpResponseMessage> PostRefundAsync(this PortalClient client, string amount, string? reason = null) =>
        client.PostJsonAsync("/api/tenant/refunds", new { amount, reason });

    public static async Task<Refund> RequestRefundAsync(this PortalClient client, string amount, string? reason = null)
    {
        var response = await client.PostRefundAsync(amount, reason);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"refund: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Refund>(response.Content, PortalClient.Json))!;
    }

    public static Task<Refund> RefundAsync(this PortalClient client, Guid id) => client.GetJsonAsync<Refund>($"/api/tenant/refunds/{id}");

    public static Task<RefundableAmount> RefundableAsync(this PortalClient client) => client.GetJsonAsync<RefundableAmount>("/api/tenant/refunds/refundable");

    public static async Task<Result<RefundView>> ApproveRefundAsync(this PortalFactory factory, Guid refundId)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<ApproveRefund.Handler>().HandleAsync(new ApproveRefund.Command(refundId));
    }

    public static async Task<Result<RefundView>> RejectRefundAsync(this PortalFactory factory, Guid refundId, string reason)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<RejectRefund.Handler>().HandleAsync(new RejectRefund.Command(refundId, reason));
    }

    public static async Task<Result<bool>> PayRefundPartByBankAsync(this PortalFactory factory, Guid allocationId, string reference)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<CompleteBankRefund.Handler>().HandleAsync(new CompleteBankRefund.Command(allocationId, reference));
    }

    public static async Task<Result<bool>> RetryRefundPartAsync(this PortalFactory factory, Guid allocationId)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<RetryAlipayRefund.Handler>().HandleAsync(new RetryAlipayRefund.Command(allocationId));
    }

    public static async Task<Result<RefundView>> RefundForOperatorAsync(this PortalFactory factory, Guid refundId)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<RefundQueries>().GetAsync(refundId);
    }

    public static async Task<int> RunRefundPayoutJobAsync(this PortalFactory factory)
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<RefundPayoutJob>().RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// Holds money for a request in flight exactly as the relay's admission does: one conditional UPDATE raising
    /// Reserved while Balance + CreditLimit + live PlanCredit − Reserved covers it.
    /// </summary>
    public static async Task<bool> HoldLikeRelayAsync(this PortalFactory factory, Guid tenantId, Money amount)
    {
        await using var db = await factory.DbAsync();
        var x = amount.MicroYuan;
        var now = factory.Clock.GetUtcNow();
        return await db.Wallets.IgnoreTenantFilter()
            .Where(w => w.TenantId == tenantId
                && w.BalanceMicroYuan + w.CreditLimitMicroYuan + (w.PlanCreditExpiresAt != null && w.PlanCreditExpiresAt > now ? w.PlanCreditMicroYuan : 0) - w.ReservedMicroYuan >= x)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan + x)) == 1;
    }

    /// <summary>Settles a relay hold: releases it, then charges the cost (an adjustment stands in for the usage ledger, which does not exist yet).</summary>
    public static async Task SettleRelayHoldAsync(this PortalFactory factory, Guid tenantId, Money held, Money cost)
    {
        await using (var db = await factory.DbAsync())
        {
            var x = held.MicroYuan;
            Assert.Equal(1, await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId && w.ReservedMicroYuan >= x)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan - x)));
        }

        if (cost > Money.Zero)
        {
            var charged = await factory.AdjustAsync(tenantId, -cost, memo: "usage (stand-in)");
            Assert.True(charged.IsSuccess, charged.Error?.Message);
        }
    }

    /// <summary>Lets tests write <c>var (balance, reserved) = await factory.WalletRowAsync(tenantId);</c>.</summary>
    public static void Deconstruct(this Portal.Core.Features.Wallet.Wallet wallet, out long balance, out long reserved)
    {
        balance = wallet.BalanceMicroYuan;
        reserved = wallet.ReservedMicroYuan;
    }

    public static (long Balance, long Reserved) BalanceAndReserved(this Portal.Core.Features.Wallet.Wallet wallet) =>
        (wallet.BalanceMicroYuan, wallet.ReservedMicroYuan);

    public static async Task<List<RefundAllocation>> RefundPartsAsync(this PortalFactory factory, Guid refundId)
    {
        await using var db = await factory.DbAsync();
        return await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking().Where(a => a.RefundRequestId == refundId).OrderBy(a => a.Position).ToListAsync();
    }
}
