using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.Alipay.Simulator;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Payments;

/// <summary>A class of its own: the bill covers every trade of the day, so no other test may pay in this database.</summary>
public abstract class ReconciliationTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Bill_comparison_is_silent_for_a_clean_day_and_reports_injected_mismatches()
    {
        // Start at 09:00 Beijing time so that every payment of the test falls on the same business day.
        var now = ChinaTime.ToChina(factory.Clock.GetUtcNow());
        factory.Clock.Advance(new DateTimeOffset(now.Date.AddDays(1).AddHours(9), now.Offset) - now);
        var billDate = ChinaTime.Today(factory.Clock);

        var (client, _) = await factory.VerifiedTenantAsync();
        var first = await client.StartTopUpAsync("100");
        await client.PayQrAsync(first);
        var second = await client.StartTopUpAsync("250.50");
        await client.PayQrAsync(second);
        await factory.DeliverNotificationsAsync();
        var unpaid = await client.StartTopUpAsync("30");

        // The next morning at 10:00 the job fetches yesterday's bill.
        factory.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(0, await ReconcileAsync(billDate));
        await using (var db = await factory.DbAsync())
        {
            Assert.Empty(await db.ReconciliationExceptions.Where(r => r.BillDate == billDate).ToListAsync());
        }

        // Inject differences on Alipay's side: a trade the portal never created, a different amount, and an order
        // Alipay took money for while the portal never heard (its notification is lost).
        await using (var db = await factory.DbAsync())
        {
            var appId = factory.Services.GetRequiredService<SimulatorKeyStore>().Get().AppId;
            var paidAt = new DateTimeOffset(billDate.ToDateTime(new TimeOnly(15, 0)), TimeSpan.FromHours(8)).ToUniversalTime();
            db.SimulatorTrades.Add(new SimulatorTrade
            {
                Id = Ids.New(),
                AppId = appId,
                OutTradeNo = "TU_FOREIGN_ORDER",
                TradeNo = "2026000022001400000000000001",
                ProductCode = AlipaySimulator.PrecreateProduct,
                Subject = "unknown",
                TotalAmountMicroYuan = Money.FromYuan(9).MicroYuan,
                Status = SimulatorTradeStatus.TradeSuccess,
                CreatedAt = paidAt,
                PaidAt = paidAt,
            });
            await db.SaveChangesAsync();
            await db.SimulatorTrades.Where(t => t.OutTradeNo == second.OrderNo).ExecuteUpdateAsync(s => s.SetProperty(t => t.TotalAmountMicroYuan, Money.FromYuan(25).MicroYuan));
            await db.SimulatorTrades.Where(t => t.OutTradeNo == unpaid.OrderNo).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, SimulatorTradeStatus.TradeSuccess).SetProperty(t => t.PaidAt, paidAt));
        }

        Assert.Equal(3, await ReconcileAsync(billDate));
        Assert.Equal(0, await ReconcileAsync(billDate)); // safe to run twice

        await using var scope = await factory.OperatorScopeAsync();
        var queue = (await scope.ServiceProvider.GetRequiredService<PaymentsAdminQueries>().ListReconciliationAsync(resolved: false)).Where(r => r.BillDate == billDate).ToList();
        Assert.Equal(3, queue.Count);
        Assert.Contains(queue, r => r.Issue == ReconciliationIssue.UnknownTrade && r.OutTradeNo == "TU_FOREIGN_ORDER");
        Assert.Contains(queue, r => r.Issue == ReconciliationIssue.AmountMismatch && r.OutTradeNo == second.OrderNo && r.BillAmountMicroYuan == Money.FromYuan(25).MicroYuan);
        Assert.Contains(queue, r => r.Issue == ReconciliationIssue.StatusMismatch && r.OutTradeNo == unpaid.OrderNo);

        // Finance resolves one with a note; it leaves the open queue and the audit log says who did what.
        var resolve = scope.ServiceProvider.GetRequiredService<ResolveReconciliationException.Handler>();
        var item = queue.First(r => r.Issue == ReconciliationIssue.UnknownTrade);
        Assert.IsType<ValidationError>((await resolve.HandleAsync(new(item.Id, ""))).Error);
        Assert.True((await resolve.HandleAsync(new(item.Id, "Refunded the stranger by hand"))).IsSuccess);
        Assert.Equal(ResolveReconciliationException.AlreadyResolved, (await resolve.HandleAsync(new(item.Id, "again"))).Error);
        Assert.Equal(2, (await scope.ServiceProvider.GetRequiredService<PaymentsAdminQueries>().ListReconciliationAsync(resolved: false)).Count(r => r.BillDate == billDate));
    }

    [Fact]
    public async Task A_payment_missing_from_the_bill_is_reported()
    {
        var billDate = ChinaTime.Today(factory.Clock).AddDays(10);
        factory.Clock.Advance(new DateTimeOffset(billDate.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8)) - factory.Clock.GetUtcNow());
        var (client, _) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("40");
        await client.PayQrAsync(order);
        await factory.DeliverNotificationsAsync();
        await using (var db = await factory.DbAsync())
        {
            // Alipay's bill does not have it (the simulator "loses" the trade's payment time).
            var paidAt = await db.SimulatorTrades.Where(t => t.OutTradeNo == order.OrderNo).Select(t => t.PaidAt!.Value).SingleAsync();
            await db.SimulatorTrades.Where(t => t.OutTradeNo == order.OrderNo).ExecuteUpdateAsync(s => s.SetProperty(t => t.PaidAt, paidAt.AddDays(-3)));
        }

        factory.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await ReconcileAsync(billDate));
        await using var scope = factory.Scope();
        var queue = await scope.ServiceProvider.GetRequiredService<PaymentsAdminQueries>().ListReconciliationAsync(resolved: false);
        Assert.Contains(queue, r => r.Issue == ReconciliationIssue.MissingInBill && r.OutTradeNo == order.OrderNo);
    }

    [Fact]
    public async Task Portal_refunds_match_the_bills_refund_rows_and_foreign_or_missing_ones_are_reported()
    {
        var billDate = ChinaTime.Today(factory.Clock).AddDays(20);
        factory.Clock.Advance(new DateTimeOffset(billDate.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8)) - factory.Clock.GetUtcNow());
        var (client, _) = await factory.VerifiedTenantAsync("退款对账科技有限公司");
        var order = await client.StartTopUpAsync("100");
        await client.PayQrAsync(order);
        var other = await client.StartTopUpAsync("20");
        await client.PayQrAsync(other);
        await factory.DeliverNotificationsAsync();
        var refund = await client.RequestRefundAsync("110");
        Assert.True((await factory.ApproveRefundAsync(refund.Id)).IsSuccess);
        Assert.Equal(Portal.Core.Features.Payments.Refunds.RefundStatus.Completed, (await client.RefundAsync(refund.Id)).Status);

        factory.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(0, await ReconcileAsync(billDate));

        // A refund made outside the portal, and one of the portal's refunds that Alipay's bill does not have.
        await using (var db = await factory.DbAsync())
        {
            var trade = await db.SimulatorTrades.SingleAsync(t => t.OutTradeNo == order.OrderNo);
            var refundedAt = new DateTimeOffset(billDate.ToDateTime(new TimeOnly(16, 0)), TimeSpan.FromHours(8)).ToUniversalTime();
            db.SimulatorRefunds.Add(new SimulatorRefund { Id = Ids.New(), TradeId = trade.Id, OutRequestNo = "CONSOLE_1", AmountMicroYuan = Money.FromYuan(1).MicroYuan, At = refundedAt });
            await db.SaveChangesAsync();
            var otherTrade = await db.SimulatorTrades.SingleAsync(t => t.OutTradeNo == other.OrderNo);
            await db.SimulatorRefunds.Where(r => r.TradeId == otherTrade.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.At, refundedAt.AddDays(-5)));
        }

        Assert.Equal(2, await ReconcileAsync(billDate));
        await using var scope = factory.Scope();
        var queue = (await scope.ServiceProvider.GetRequiredService<PaymentsAdminQueries>().ListReconciliationAsync(resolved: false)).Where(r => r.BillDate == billDate).ToList();
        Assert.Contains(queue, r => r.Issue == ReconciliationIssue.StatusMismatch && r.OutTradeNo == order.OrderNo && r.Detail.Contains("CONSOLE_1"));
        Assert.Contains(queue, r => r.Issue == ReconciliationIssue.MissingInBill && r.OutTradeNo == other.OrderNo);
    }

    private async Task<int> ReconcileAsync(DateOnly billDate)
    {
        await using var scope = factory.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<AlipayBillReconciliationJob>().ReconcileAsync(billDate);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }
}

public sealed class ReconciliationTestsOnPostgres(PostgresPortalFactory factory) : ReconciliationTests<PostgresPortalFactory>(factory);

public sealed class ReconciliationTestsOnSqlite(SqlitePortalFactory factory) : ReconciliationTests<SqlitePortalFactory>(factory);
