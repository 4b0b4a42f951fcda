using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Payments;

public abstract class BankTransferTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Transfer_shows_the_receiving_account_and_a_code_and_a_confirmation_credits_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("对公转账科技有限公司");
        var transfer = await client.StartTransferAsync("5000");
        Assert.Equal(BankTransferStatus.Pending, transfer.Status);
        Assert.True(RemittanceCodes.IsWellFormed(transfer.RemittanceCode));
        Assert.Equal("121900000000001", transfer.Account.AccountNumber);
        Assert.Equal("招商银行", transfer.Account.BankName);
        Assert.Equal(factory.Clock.GetUtcNow().AddDays(30), transfer.ExpiresAt, TimeSpan.FromSeconds(1));

        var confirmed = await factory.ConfirmTransferAsync(transfer.Id, "5000.00", "CMB20261128001");
        Assert.True(confirmed.IsSuccess, confirmed.Error?.Message);
        Assert.Equal(BankTransferStatus.Confirmed, (await client.TransferAsync(transfer.Id)).Status);
        Assert.Equal("5000.00", (await client.WalletAsync()).Balance);
        var entry = Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal("bank:CMB20261128001", entry.IdempotencyKey);

        // Confirming again (another finance user, a double click) credits nothing.
        var again = await factory.ConfirmTransferAsync(transfer.Id, "5000.00", "CMB20261128001");
        Assert.Equal(BankTransferErrors.NotPending, again.Error);
        Assert.Single(await factory.LedgerAsync(tenantId));
        await factory.AssertLedgerInvariantAsync(tenantId);

        await using var db = await factory.DbAsync();
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.TenantId == tenantId && a.Action == "payments.bank_transfer_confirmed"));
        Assert.True(await db.OutboxMessages.AnyAsync(m => m.To == client.Email && m.Kind == "BankTransferConfirmed"));
    }

    [Fact]
    public async Task Transfer_is_refused_until_real_name_verification_is_approved()
    {
        var client = await PortalClient.SignUpAsync(factory, "未认证转账科技有限公司");
        var response = await client.PostJsonAsync("/api/tenant/bank-transfers", new { amount = "5000" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Kyc.NotVerified", await response.Content.ReadAsStringAsync());
        Assert.Empty(await client.GetJsonAsync<List<Transfer>>("/api/tenant/bank-transfers"));
    }

    [Theory]
    [InlineData("999.99")]
    [InlineData("1000.001")]
    public async Task Amounts_below_the_minimum_or_finer_than_a_fen_are_refused(string amount)
    {
        var (client, _) = await factory.VerifiedTenantAsync("金额校验科技有限公司");
        var response = await client.PostJsonAsync("/api/tenant/bank-transfers", new { amount });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Two_finance_users_confirming_at_once_credit_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("并发确认科技有限公司");
        var transfer = await client.StartTransferAsync("2000");

        var results = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(i => Task.Run(() => factory.ConfirmTransferAsync(transfer.Id, "2000", i % 2 == 0 ? "REF-A" : "REF-B"))));

        Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Contains(r.Error, new[] { BankTransferErrors.NotPending, BankTransferErrors.ReferenceUsed }));
        Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal("2000.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_different_received_amount_needs_explicit_confirmation_and_credits_what_arrived()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("金额不符科技有限公司");
        var transfer = await client.StartTransferAsync("3000");

        var refused = await factory.ConfirmTransferAsync(transfer.Id, "2999.50", "REF-MISMATCH");
        Assert.Equal(BankTransferErrors.AmountDiffers, refused.Error);
        Assert.Empty(await factory.LedgerAsync(tenantId));
        Assert.Equal(BankTransferStatus.Pending, (await client.TransferAsync(transfer.Id)).Status);

        var accepted = await factory.ConfirmTransferAsync(transfer.Id, "2999.50", "REF-MISMATCH", acceptDifferent: true);
        Assert.True(accepted.IsSuccess, accepted.Error?.Message);
        var after = await client.TransferAsync(transfer.Id);
        Assert.Equal("2999.50", after.ReceivedAmount);
        Assert.Equal("2999.50", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_bank_reference_credits_only_one_transfer()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("流水复用科技有限公司");
        var first = await client.StartTransferAsync("1000");
        var second = await client.StartTransferAsync("1000");
        Assert.NotEqual(first.RemittanceCode, second.RemittanceCode);

        Assert.True((await factory.ConfirmTransferAsync(first.Id, "1000", "REF-ONCE")).IsSuccess);
        Assert.Equal(BankTransferErrors.ReferenceUsed, (await factory.ConfirmTransferAsync(second.Id, "1000", "REF-ONCE")).Error);
        Assert.Equal(BankTransferStatus.Pending, (await client.TransferAsync(second.Id)).Status);
        Assert.Single(await factory.LedgerAsync(tenantId));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Tenant_cancels_a_pending_transfer_and_it_can_no_longer_be_confirmed()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("取消转账科技有限公司");
        var transfer = await client.StartTransferAsync("1000");
        var cancel = await client.PostJsonAsync($"/api/tenant/bank-transfers/{transfer.Id}/cancel", new { });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(BankTransferStatus.Cancelled, (await client.TransferAsync(transfer.Id)).Status);
        Assert.Equal(BankTransferErrors.NotPending, (await factory.ConfirmTransferAsync(transfer.Id, "1000", "REF-LATE")).Error);
        Assert.Empty(await factory.LedgerAsync(tenantId));
    }

    [Fact]
    public async Task Finance_rejects_with_a_reason_and_the_owner_is_told()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("驳回转账科技有限公司");
        var transfer = await client.StartTransferAsync("1000");
        var rejected = await factory.RejectTransferAsync(transfer.Id, "未收到款项");
        Assert.True(rejected.IsSuccess, rejected.Error?.Message);
        var after = await client.TransferAsync(transfer.Id);
        Assert.Equal(BankTransferStatus.Rejected, after.Status);
        Assert.Equal("未收到款项", after.RejectionReason);
        Assert.Empty(await factory.LedgerAsync(tenantId));
        await using var db = await factory.DbAsync();
        Assert.True(await db.OutboxMessages.AnyAsync(m => m.To == client.Email && m.Kind == "BankTransferRejected"));
    }

    [Fact]
    public async Task Finance_queue_lists_pending_transfers_oldest_first_and_members_cannot_confirm()
    {
        var (client, _) = await factory.VerifiedTenantAsync("队列科技有限公司");
        var older = await client.StartTransferAsync("1000");
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var newer = await client.StartTransferAsync("1000");

        await using (var scope = await factory.OperatorScopeAsync())
        {
            var queue = await scope.ServiceProvider.GetRequiredService<BankTransferQueries>().ListPendingAsync();
            Assert.True(queue.IsSuccess);
            var ids = queue.Value!.Select(p => p.Transfer.Id).ToList();
            Assert.True(ids.IndexOf(older.Id) < ids.IndexOf(newer.Id));
            Assert.Contains(queue.Value, p => p.TenantName == "队列科技有限公司");
        }

        await using (var scope = factory.Scope())
        {
            var user = (await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>().FindByEmailAsync(client.Email))!.Id;
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(user, client.Email, null));
            var result = await scope.ServiceProvider.GetRequiredService<ConfirmBankTransfer.Handler>()
                .HandleAsync(new ConfirmBankTransfer.Command(older.Id, Money.FromYuan(1000), "REF-FORGED"));
            Assert.Equal("Auth.Forbidden", result.Error?.Code);
        }
    }

    [Fact]
    public async Task Pending_transfers_expire_after_their_validity()
    {
        var (client, _) = await factory.VerifiedTenantAsync("过期转账科技有限公司");
        var transfer = await client.StartTransferAsync("1000");
        factory.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await using (var scope = factory.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ExpireBankTransfersJob>().RunAsync(CancellationToken.None) >= 1);
        }

        await client.LoginAsync(); // the sign-in cookie did not survive 30 days either
        Assert.Equal(BankTransferStatus.Expired, (await client.TransferAsync(transfer.Id)).Status);
        Assert.Equal(BankTransferErrors.NotPending, (await factory.ConfirmTransferAsync(transfer.Id, "1000", "REF-EXPIRED")).Error);
    }
}

public sealed class BankTransferTestsOnPostgres(PostgresPortalFactory factory) : BankTransferTests<PostgresPortalFactory>(factory);

public sealed class BankTransferTestsOnSqlite(SqlitePortalFactory factory) : BankTransferTests<SqlitePortalFactory>(factory);
