using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Refunds;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Features.Invoices;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Payments;

public abstract class RefundTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Refund_of_more_than_the_refundable_balance_is_refused_clearly_and_changes_nothing()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("超额退款科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        await using (var scope = await factory.OperatorScopeAsync())
        {
            // A credit line and money held by requests in flight are not refundable.
            var credit = await scope.ServiceProvider.GetRequiredService<SetCreditLimit.Handler>().HandleAsync(new SetCreditLimit.Command(tenantId, Money.FromYuan(500), "月结"));
            Assert.True(credit.IsSuccess, credit.Error?.Message);
        }

        Assert.True(await factory.HoldLikeRelayAsync(tenantId, Money.FromYuan(30)));
        Assert.Equal("70.00", (await client.RefundableAsync()).Refundable);

        var refused = await client.PostRefundAsync("70.01");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Refunds.ExceedsRefundable", body);
        Assert.Contains("¥70.00", body);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostRefundAsync("0.001")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostRefundAsync("0")).StatusCode);

        Assert.Equal((Money.FromYuan(100).MicroYuan, Money.FromYuan(30).MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        Assert.Empty(await client.GetJsonAsync<List<Refund>>("/api/tenant/refunds"));

        // Exactly the refundable amount is accepted and held at once: nothing is refundable any more.
        var refund = await client.RequestRefundAsync("70.00", "项目结束");
        Assert.Equal(RefundStatus.Requested, refund.Status);
        Assert.Equal("70.00", refund.Held);
        Assert.Equal("0.00", (await client.RefundableAsync()).Refundable);
        Assert.Equal((Money.FromYuan(100).MicroYuan, Money.FromYuan(100).MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostRefundAsync("0.01")).StatusCode);

        await factory.SettleRelayHoldAsync(tenantId, Money.FromYuan(30), Money.Zero);
        Assert.True((await factory.RejectRefundAsync(refund.Id, "测试")).IsSuccess);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Parallel_refund_requests_never_hold_more_than_the_balance()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("并发退款科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => client.PostRefundAsync("30"))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal((Money.FromYuan(100).MicroYuan, Money.FromYuan(90).MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        Assert.Equal(3, (await client.GetJsonAsync<List<Refund>>("/api/tenant/refunds")).Count(r => r.Status == RefundStatus.Requested));
        Assert.DoesNotContain(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.Refund);
    }

    [Fact]
    public async Task Refunds_requested_while_relay_requests_hold_money_cannot_make_the_balance_negative()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("在途请求科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);

        // Requests in flight and refund requests race for the same cash.
        var relay = Enumerable.Range(0, 10).Select(_ => Task.Run(() => factory.HoldLikeRelayAsync(tenantId, Money.FromYuan(15)))).ToList();
        var refunds = Enumerable.Range(0, 5).Select(_ => Task.Run(() => client.PostRefundAsync("20"))).ToList();
        await Task.WhenAll(relay.Cast<Task>().Concat(refunds));
        var relayHolds = relay.Count(t => t.Result);
        var created = new List<Refund>();
        foreach (var response in refunds.Select(t => t.Result).Where(r => r.StatusCode == HttpStatusCode.Created))
            created.Add((await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Refund>(response.Content, PortalClient.Json))!);

        var held = Money.FromYuan(15 * relayHolds + 20 * created.Count);
        Assert.True(held <= Money.FromYuan(100), $"held {held} of ¥100");
        Assert.True(Money.FromYuan(100) - held < Money.FromYuan(20), "a refund that still fitted was refused");
        Assert.Equal((Money.FromYuan(100).MicroYuan, held.MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());

        // The requests finish and cost everything they held; then every refund is approved and paid.
        for (var i = 0; i < relayHolds; i++) await factory.SettleRelayHoldAsync(tenantId, Money.FromYuan(15), Money.FromYuan(15));
        foreach (var refund in created)
        {
            var approved = await factory.ApproveRefundAsync(refund.Id);
            Assert.True(approved.IsSuccess, approved.Error?.Message);
            var part = Assert.Single(approved.Value!.Allocations);
            Assert.Equal(RefundAllocationKind.Bank, part.Kind);
            Assert.Null(part.Source);
            Assert.True((await factory.PayRefundPartByBankAsync(part.Id, $"OUT-{refund.RefundNo}")).IsSuccess);
            Assert.Equal(RefundStatus.Completed, (await client.RefundAsync(refund.Id)).Status);
        }

        var (balance, reserved) = await factory.WalletRowAsync(tenantId);
        Assert.Equal(0, reserved);
        Assert.True(balance >= 0, $"balance {balance}");
        Assert.Equal((Money.FromYuan(100) - held).MicroYuan, balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_held_refund_is_paid_out_even_while_requests_in_flight_hold_plan_credit()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("套餐在途科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        await using (var db = await factory.DbAsync())
        {
            // Plans are a later issue: give the wallet live plan credit directly.
            await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.PlanCreditMicroYuan, Money.FromYuan(50).MicroYuan).SetProperty(w => w.PlanCreditExpiresAt, factory.Clock.GetUtcNow().AddDays(30)));
        }

        Assert.Equal("100.00", (await client.RefundableAsync()).Refundable);
        var refund = await client.RequestRefundAsync("100");
        // The relay may still reserve against plan credit; cash is all held by the refund.
        Assert.True(await factory.HoldLikeRelayAsync(tenantId, Money.FromYuan(50)));
        Assert.False(await factory.HoldLikeRelayAsync(tenantId, Money.FromFen(1)));

        var approved = await factory.ApproveRefundAsync(refund.Id);
        var part = Assert.Single(approved.Value!.Allocations);
        var paid = await factory.PayRefundPartByBankAsync(part.Id, "OUT-PLAN-1");
        Assert.True(paid.IsSuccess, paid.Error?.Message);
        // Balance and Reserved went down together: the request in flight is still covered by the plan credit.
        Assert.Equal((0L, Money.FromYuan(50).MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        await factory.SettleRelayHoldAsync(tenantId, Money.FromYuan(50), Money.Zero);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Approval_refunds_the_most_recent_Alipay_top_ups_first_and_the_rest_by_bank()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("分配退款科技有限公司");
        var transfer = await client.StartTransferAsync("1000");
        Assert.True((await factory.ConfirmTransferAsync(transfer.Id, "1000", $"IN-{Guid.NewGuid():N}")).IsSuccess);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var older = await client.StartTopUpAsync("100");
        await client.PayQrAsync(older);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var newer = await client.StartTopUpAsync("50");
        await client.PayQrAsync(newer);
        await factory.DeliverNotificationsAsync();
        Assert.Equal("1150.00", (await client.WalletAsync()).Balance);

        var refund = await client.RequestRefundAsync("1120");
        var approved = await factory.ApproveRefundAsync(refund.Id);
        Assert.True(approved.IsSuccess, approved.Error?.Message);

        var seen = await client.RefundAsync(refund.Id);
        Assert.Equal(RefundStatus.Approved, seen.Status);
        Assert.Collection(seen.Allocations,
            p => Assert.Equal((RefundAllocationKind.Alipay, "50.00", RefundAllocationStatus.Succeeded, newer.OrderNo), (p.Kind, p.Amount, p.Status, p.Source)),
            p => Assert.Equal((RefundAllocationKind.Alipay, "100.00", RefundAllocationStatus.Succeeded, older.OrderNo), (p.Kind, p.Amount, p.Status, p.Source)),
            p => Assert.Equal((RefundAllocationKind.Bank, "970.00", RefundAllocationStatus.Pending), (p.Kind, p.Amount, p.Status)));
        Assert.All(seen.Allocations, p => Assert.Matches("^[A-Za-z0-9_]{1,64}$", p.OutRequestNo));
        Assert.Equal("970.00", seen.Held);
        Assert.Equal((Money.FromYuan(1000).MicroYuan, Money.FromYuan(970).MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        Assert.Equal("50.00", (await client.TopUpAsync(newer.Id)).Refunded);
        Assert.Equal("100.00", (await client.TopUpAsync(older.Id)).Refunded);
        Assert.Equal(Money.FromYuan(50).MicroYuan, await TradeRefundedAsync(newer.OrderNo));
        Assert.Equal(Money.FromYuan(100).MicroYuan, await TradeRefundedAsync(older.OrderNo));

        // Finance pays the bank part and records the outgoing transfer's reference.
        var parts = await factory.RefundPartsAsync(refund.Id);
        Assert.Equal(transfer.Id, parts[2].BankTransferOrderId);
        Assert.Equal(RefundErrors.NotAlipay, (await factory.RetryRefundPartAsync(parts[2].Id)).Error);
        Assert.True((await factory.PayRefundPartByBankAsync(parts[2].Id, "OUT-CMB-0001")).IsSuccess);
        Assert.Equal(RefundErrors.AllocationDone, (await factory.PayRefundPartByBankAsync(parts[2].Id, "OUT-CMB-0002")).Error);

        seen = await client.RefundAsync(refund.Id);
        Assert.Equal(RefundStatus.Completed, seen.Status);
        Assert.Equal("OUT-CMB-0001", seen.Allocations[2].BankReference);
        Assert.Equal("0.00", seen.Held);
        Assert.Equal((Money.FromYuan(30).MicroYuan, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        var refundEntries = (await factory.LedgerAsync(tenantId)).Where(e => e.Kind == LedgerEntryKind.Refund).ToList();
        Assert.Equal(parts.Select(p => RefundAllocation.LedgerKeyFor(p.Id)).Order(), refundEntries.Select(e => e.IdempotencyKey).Order());
        Assert.Equal(-Money.FromYuan(1120).MicroYuan, refundEntries.Sum(e => e.AmountMicroYuan));
        Assert.All(refundEntries, e => Assert.Equal(refund.RefundNo, e.Reference));

        // A second refund finds both Alipay top-ups used up and goes back against what is left of the transfer.
        var second = await client.RequestRefundAsync("30");
        var secondApproved = await factory.ApproveRefundAsync(second.Id);
        var bankPart = Assert.Single(secondApproved.Value!.Allocations);
        Assert.Equal(RefundAllocationKind.Bank, bankPart.Kind);
        Assert.Equal(RemittanceCodesDisplay(transfer.RemittanceCode), bankPart.Source);
        Assert.True((await factory.PayRefundPartByBankAsync(bankPart.Id, "OUT-CMB-0003")).IsSuccess);
        Assert.Equal((0L, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        await factory.AssertLedgerInvariantAsync(tenantId);

        await using var db = await factory.DbAsync();
        var kinds = await db.OutboxMessages.Where(m => m.To == client.Email).Select(m => m.Kind).ToListAsync();
        Assert.Contains("RefundApproved", kinds);
        Assert.Equal(2, kinds.Count(k => k == "RefundCompleted"));
        var actions = await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == tenantId).Select(a => a.Action).ToListAsync();
        Assert.Contains("payments.refund_requested", actions);
        Assert.Contains("payments.refund_approved", actions);
        Assert.Contains("payments.refund_completed", actions);
        Assert.Equal(4, actions.Count(a => a == "wallet.refunded"));
    }

    [Fact]
    public async Task An_Alipay_refund_retried_after_a_timeout_refunds_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("退款超时科技有限公司");
        var order = await client.StartTopUpAsync("200");
        await client.PayQrAsync(order);
        await factory.DeliverNotificationsAsync();
        var refund = await client.RequestRefundAsync("80");

        // Alipay refunds, but its answer never arrives: the portal cannot know, so it debits nothing yet.
        factory.AlipayFaults.LoseNextRefundResponses();
        var approved = await factory.ApproveRefundAsync(refund.Id);
        Assert.True(approved.IsSuccess, approved.Error?.Message);
        var part = Assert.Single(approved.Value!.Allocations);
        Assert.Equal(RefundAllocationStatus.Pending, part.Status);
        Assert.StartsWith("Alipay.Unavailable", part.LastError);
        Assert.NotNull(part.NextAttemptAt);
        Assert.Equal(Money.FromYuan(80).MicroYuan, await TradeRefundedAsync(order.OrderNo));
        Assert.Equal((Money.FromYuan(200).MicroYuan, Money.FromYuan(80).MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        Assert.DoesNotContain(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.Refund);

        // The job waits for the backoff, then asks again with the same out_request_no: Alipay answers that it was
        // already refunded (fund_change N), and the wallet is debited once.
        Assert.Equal(0, await factory.RunRefundPayoutJobAsync());
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await factory.RunRefundPayoutJobAsync());
        Assert.True((await factory.RetryRefundPartAsync(part.Id)).IsSuccess);
        Assert.Equal(0, await factory.RunRefundPayoutJobAsync());

        Assert.Equal(Money.FromYuan(80).MicroYuan, await TradeRefundedAsync(order.OrderNo));
        await using (var db = await factory.DbAsync())
        {
            var simulated = await db.SimulatorRefunds.Join(db.SimulatorTrades.Where(t => t.OutTradeNo == order.OrderNo), r => r.TradeId, t => t.Id, (r, _) => r).ToListAsync();
            Assert.Equal(part.OutRequestNo, Assert.Single(simulated).OutRequestNo);
        }

        var entry = Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.Refund);
        Assert.Equal(-Money.FromYuan(80).MicroYuan, entry.AmountMicroYuan);
        Assert.Equal((Money.FromYuan(120).MicroYuan, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        var seen = await client.RefundAsync(refund.Id);
        Assert.Equal(RefundStatus.Completed, seen.Status);
        Assert.Equal("80.00", (await client.TopUpAsync(order.Id)).Refunded);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task An_Alipay_part_Alipay_refuses_can_be_paid_by_bank_instead()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("退款拒绝科技有限公司");
        var order = await client.StartTopUpAsync("60");
        await client.PayQrAsync(order);
        await factory.DeliverNotificationsAsync();
        var refund = await client.RequestRefundAsync("60");
        // The trade was refunded elsewhere (say, in Alipay's merchant console): Alipay refuses the portal's refund.
        await using (var db = await factory.DbAsync())
        {
            await db.SimulatorTrades.Where(t => t.OutTradeNo == order.OrderNo).ExecuteUpdateAsync(s => s.SetProperty(t => t.RefundedMicroYuan, t => t.TotalAmountMicroYuan));
        }

        var approved = await factory.ApproveRefundAsync(refund.Id);
        var part = Assert.Single(approved.Value!.Allocations);
        Assert.Equal(RefundAllocationStatus.Failed, part.Status);
        Assert.Contains("REFUND_AMT", part.LastError);
        Assert.Equal(0, await factory.RunRefundPayoutJobAsync());
        Assert.False((await factory.RetryRefundPartAsync(part.Id)).IsSuccess);

        Assert.True((await factory.PayRefundPartByBankAsync(part.Id, "OUT-FALLBACK-1")).IsSuccess);
        var seen = await client.RefundAsync(refund.Id);
        Assert.Equal(RefundStatus.Completed, seen.Status);
        Assert.Equal(RefundAllocationKind.Bank, seen.Allocations[0].Kind);
        Assert.Equal("0.00", (await client.TopUpAsync(order.Id)).Refunded);
        Assert.Equal((0L, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_refused_Alipay_part_retried_while_finance_records_a_bank_payment_leaves_one_way_only()
    {
        for (var round = 0; round < 3; round++)
        {
            var (client, tenantId) = await factory.VerifiedTenantAsync($"退款竞态{round}科技有限公司");
            var order = await client.StartTopUpAsync("60");
            await client.PayQrAsync(order);
            await factory.DeliverNotificationsAsync();
            var refund = await client.RequestRefundAsync("60");
            await SetTradeRefundedAsync(order.OrderNo, refundedElsewhere: true);
            var part = Assert.Single((await factory.ApproveRefundAsync(refund.Id)).Value!.Allocations);
            Assert.Equal(RefundAllocationStatus.Failed, part.Status);

            // The refund elsewhere is reversed, so Alipay would now accept; finance retries and records a bank payment at once.
            await SetTradeRefundedAsync(order.OrderNo, refundedElsewhere: false);
            var retrying = Task.Run(() => factory.RetryRefundPartAsync(part.Id));
            var recording = Task.Run(() => factory.PayRefundPartByBankAsync(part.Id, $"OUT-RACE-{round}"));
            var (retry, bank) = (await retrying, await recording);

            var seen = await client.RefundAsync(refund.Id);
            Assert.Equal(RefundStatus.Completed, seen.Status);
            var paid = Assert.Single(seen.Allocations);
            var alipayRefunded = await TradeRefundedAsync(order.OrderNo);
            // Exactly one way: through Alipay (and the bank call was refused) or by bank (and Alipay was not asked).
            if (paid.Kind == RefundAllocationKind.Alipay)
                Assert.Equal((Money.FromYuan(60).MicroYuan, false), (alipayRefunded, bank.IsSuccess));
            else
                Assert.Equal((0L, false, "OUT-RACE-" + round), (alipayRefunded, retry.IsSuccess, paid.BankReference));
            Assert.Equal((0L, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
            Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.Refund);
            await factory.AssertLedgerInvariantAsync(tenantId);
        }
    }

    private async Task SetTradeRefundedAsync(string orderNo, bool refundedElsewhere)
    {
        await using var db = await factory.DbAsync();
        await db.SimulatorTrades.Where(t => t.OutTradeNo == orderNo)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RefundedMicroYuan, t => refundedElsewhere ? t.TotalAmountMicroYuan : 0));
    }

    [Fact]
    public async Task Rejection_and_cancellation_release_the_hold_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("驳回退款科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);

        var rejected = await client.RequestRefundAsync("40");
        Assert.Equal(Money.FromYuan(40).MicroYuan, ((await factory.WalletRowAsync(tenantId)).BalanceAndReserved()).Reserved);
        Assert.Equal("Validation", (await factory.RejectRefundAsync(rejected.Id, " ")).Error?.Code);
        Assert.True((await factory.RejectRefundAsync(rejected.Id, "请提供收款账户")).IsSuccess);
        Assert.Equal(RefundErrors.NotRequested, (await factory.RejectRefundAsync(rejected.Id, "again")).Error);
        Assert.Equal(RefundErrors.NotRequested, (await factory.ApproveRefundAsync(rejected.Id)).Error);
        var seen = await client.RefundAsync(rejected.Id);
        Assert.Equal((RefundStatus.Rejected, "请提供收款账户", "0.00"), (seen.Status, seen.RejectionReason, seen.Held));
        Assert.Equal((Money.FromYuan(100).MicroYuan, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());

        var cancelled = await client.RequestRefundAsync("25");
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/api/tenant/refunds/{cancelled.Id}/cancel", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostJsonAsync($"/api/tenant/refunds/{cancelled.Id}/cancel", new { })).StatusCode);
        Assert.Equal(RefundErrors.NotRequested, (await factory.ApproveRefundAsync(cancelled.Id)).Error);
        Assert.Equal(RefundStatus.Cancelled, (await client.RefundAsync(cancelled.Id)).Status);
        Assert.Equal((Money.FromYuan(100).MicroYuan, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        Assert.Equal("100.00", (await client.RefundableAsync()).Refundable);

        await using var db = await factory.DbAsync();
        Assert.True(await db.OutboxMessages.AnyAsync(m => m.To == client.Email && m.Kind == "RefundRejected"));
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.TenantId == tenantId && a.Action == "payments.refund_cancelled"));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Two_finance_users_deciding_at_once_create_one_set_of_allocations()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("并发审批科技有限公司");
        var order = await client.StartTopUpAsync("100");
        await client.PayQrAsync(order);
        await factory.DeliverNotificationsAsync();

        var refund = await client.RequestRefundAsync("60");
        var approvals = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => factory.ApproveRefundAsync(refund.Id))));
        Assert.Single(approvals, a => a.IsSuccess);
        Assert.All(approvals.Where(a => !a.IsSuccess), a => Assert.Equal(RefundErrors.NotRequested, a.Error));
        Assert.Single(await factory.RefundPartsAsync(refund.Id));
        Assert.Equal(Money.FromYuan(60).MicroYuan, await TradeRefundedAsync(order.OrderNo));
        Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.Refund);

        // An approval racing a rejection and the tenant's cancellation: exactly one decision, and the hold follows it.
        var raced = await client.RequestRefundAsync("40");
        var outcomes = await Task.WhenAll(
            Task.Run(async () => (await factory.ApproveRefundAsync(raced.Id)).IsSuccess),
            Task.Run(async () => (await factory.RejectRefundAsync(raced.Id, "并发")).IsSuccess),
            Task.Run(async () => (await client.PostJsonAsync($"/api/tenant/refunds/{raced.Id}/cancel", new { })).IsSuccessStatusCode));
        Assert.Single(outcomes, o => o);
        var final = await client.RefundAsync(raced.Id);
        var (balance, reserved) = await factory.WalletRowAsync(tenantId);
        if (final.Status == RefundStatus.Approved || final.Status == RefundStatus.Completed)
        {
            Assert.NotEmpty(final.Allocations);
            Assert.Equal((0L, 0L), (balance, reserved));
        }
        else
        {
            Assert.Empty(final.Allocations);
            Assert.Equal((Money.FromYuan(40).MicroYuan, 0L), (balance, reserved));
        }

        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Only_Owners_and_Finance_request_and_another_tenants_refund_is_not_found()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("权限退款科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(10))).IsSuccess);
        var refund = await owner.RequestRefundAsync("10");

        var (stranger, _) = await factory.VerifiedTenantAsync("别家科技有限公司");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/api/tenant/refunds/{refund.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostJsonAsync($"/api/tenant/refunds/{refund.Id}/cancel", new { })).StatusCode);

        // A tenant member is no finance operator.
        await using (var scope = factory.Scope())
        {
            var user = (await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(owner.Email))!.Id;
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(user, owner.Email, tenantId));
            var approved = await scope.ServiceProvider.GetRequiredService<ApproveRefund.Handler>().HandleAsync(new ApproveRefund.Command(refund.Id));
            Assert.Equal("Auth.Forbidden", approved.Error?.Code);
        }

        // A Developer may see refunds but not ask for one.
        await using (var db = await factory.DbAsync())
        {
            await db.Memberships.IgnoreTenantFilter().Where(m => m.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, Portal.Core.Features.Tenants.TenantRole.Developer));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostRefundAsync("1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostJsonAsync($"/api/tenant/refunds/{refund.Id}/cancel", new { })).StatusCode);
        Assert.Single(await owner.GetJsonAsync<List<Refund>>("/api/tenant/refunds"));
    }

    [Fact]
    public async Task Money_already_invoiced_is_refunded_only_after_its_invoice_is_voided()
    {
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "已开票退款科技有限公司", "1000");
        // Nothing invoiced yet: every yuan of cash may be refunded.
        Assert.Equal(new RefundableAmount("1000.00", "0.00", "1000.00", "0.00", false), await client.RefundableAsync());

        var invoice = await InvoiceArrange.RequestOkAsync(client, "600");
        Assert.Equal(new RefundableAmount("1000.00", "0.00", "400.00", "600.00", true), await client.RefundableAsync());
        var refused = await client.PostRefundAsync("400.01");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Refunds.Invoiced", body);
        Assert.Contains("¥400.00", body);
        Assert.Equal((Money.FromYuan(1000).MicroYuan, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());

        // A refund in progress cannot be invoiced meanwhile.
        var refund = await client.RequestRefundAsync("300");
        var state = (await InvoiceArrange.InvoicesAsync(client)).Invoiceable;
        Assert.Equal(("300.00", "100.00"), (state.RefundsInProgress, state.Invoiceable));
        Assert.Equal(HttpStatusCode.Conflict, (await InvoiceArrange.RequestAsync(client, "100.01")).StatusCode);

        // Issuing changes nothing; voiding gives the invoiced money back to refunds (and to invoicing).
        Assert.True((await InvoiceArrange.IssueAsync(factory, invoice.Id)).IsSuccess);
        Assert.Equal("100.00", (await client.RefundableAsync()).Refundable);
        Assert.True((await InvoiceArrange.VoidAsync(factory, invoice.Id, "改为退款")).IsSuccess);
        Assert.Equal(new RefundableAmount("1000.00", "300.00", "700.00", "0.00", false), await client.RefundableAsync());

        // Paid out, the refund leaves what can be invoiced for good.
        var approved = await factory.ApproveRefundAsync(refund.Id);
        Assert.True(approved.IsSuccess, approved.Error?.Message);
        var part = Assert.Single(approved.Value!.Allocations);
        Assert.True((await factory.PayRefundPartByBankAsync(part.Id, "OUT-INVOICED-1")).IsSuccess);
        Assert.Equal(new InvoiceableDto("1000.00", "300.00", "0.00", "0.00", "700.00", "0.00"), (await InvoiceArrange.InvoicesAsync(client)).Invoiceable);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Concurrent_invoice_and_refund_requests_never_cover_the_same_money_twice()
    {
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "并发开票退款科技有限公司", "1000");
        await InvoiceArrange.RequestOkAsync(client, "100");

        var invoices = Enumerable.Range(0, 8).Select(_ => Task.Run(() => InvoiceArrange.RequestAsync(client, "150"))).ToList();
        var refunds = Enumerable.Range(0, 8).Select(_ => Task.Run(() => client.PostRefundAsync("150"))).ToList();
        await Task.WhenAll(invoices.Concat(refunds));

        var responses = invoices.Concat(refunds).Select(t => t.Result).ToList();
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var invoiced = invoices.Count(t => t.Result.StatusCode == HttpStatusCode.Created);
        var refunded = refunds.Count(t => t.Result.StatusCode == HttpStatusCode.Created);
        // ¥900 was left after the first invoice: exactly six requests of ¥150 fit, whichever kind won.
        Assert.Equal(6, invoiced + refunded);
        var state = (await InvoiceArrange.InvoicesAsync(client)).Invoiceable;
        Assert.Equal($"{100 + 150 * invoiced}.00", state.Pending);
        Assert.Equal($"{150 * refunded}.00", state.RefundsInProgress);
        Assert.Equal("0.00", state.Invoiceable);
        Assert.Equal("0.00", (await client.RefundableAsync()).Refundable);
        Assert.Equal((Money.FromYuan(1000).MicroYuan, Money.FromYuan(150 * refunded).MicroYuan), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    private async Task<long> TradeRefundedAsync(string orderNo)
    {
        await using var db = await factory.DbAsync();
        return await db.SimulatorTrades.Where(t => t.OutTradeNo == orderNo).Select(t => t.RefundedMicroYuan).SingleAsync();
    }

    private static string RemittanceCodesDisplay(string code) => Portal.Core.Features.Payments.BankTransfer.RemittanceCodes.Display(code);
}

public sealed class RefundTestsOnPostgres(PostgresPortalFactory factory) : RefundTests<PostgresPortalFactory>(factory);

public sealed class RefundTestsOnSqlite(SqlitePortalFactory factory) : RefundTests<SqlitePortalFactory>(factory);
