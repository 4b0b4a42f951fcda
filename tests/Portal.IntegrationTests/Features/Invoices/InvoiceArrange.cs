using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Invoices;

public sealed record InvoiceDto(
    Guid Id, InvoiceType Type, InvoiceStatus Status, string? Number, string Amount, string Net, string Tax, string TaxRate,
    string BuyerTitle, DateTimeOffset RequestedAt, DateTimeOffset? IssuedAt, string? RejectionReason, string? VoidReason, string? PdfUrl);

public sealed record InvoiceableDto(string TopUps, string Refunds, string Issued, string Pending, string Invoiceable, string RefundsInProgress = "0.00");

public sealed record InvoicesDto(InvoiceableDto Invoiceable, List<InvoiceDto> Invoices);

public sealed record ProfileDto(string Title, string TaxpayerId, string Address, string Phone, string BankName, string BankAccount, string Email);

public sealed record ProfileStateDto(bool Saved, bool Matches, ProfileDto Profile);

/// <summary>Arranges invoices through the tenant API and the finance use cases, and money through the app's own paths.</summary>
internal static class InvoiceArrange
{
    /// <summary>A verified enterprise whose Owner transferred <paramref name="yuan"/> by bank (a real TopUp) and saved a profile.</summary>
    public static async Task<(PortalClient Client, Guid TenantId)> PaidTenantAsync(PortalFactory factory, string company, string yuan = "1000", bool withBank = false)
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync(company);
        await TopUpByBankAsync(factory, client, yuan);
        var profile = await client.GetJsonAsync<ProfileStateDto>("/api/tenant/invoice-profile");
        var saved = await client.PutJsonAsync("/api/tenant/invoice-profile", profile.Profile with
        {
            Phone = "021-12345678",
            BankName = withBank ? "招商银行上海分行" : "",
            BankAccount = withBank ? "6222 0200 0000 0001" : "",
        });
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        return (client, tenantId);
    }

    public static async Task TopUpByBankAsync(PortalFactory factory, PortalClient client, string yuan)
    {
        var transfer = await client.StartTransferAsync(yuan);
        var confirmed = await factory.ConfirmTransferAsync(transfer.Id, yuan, "REF" + Guid.NewGuid().ToString("N")[..20]);
        Assert.True(confirmed.IsSuccess, confirmed.Error?.Message);
    }

    public static Task<HttpResponseMessage> RequestAsync(PortalClient client, string amount, InvoiceType type = InvoiceType.Ordinary, string? remarks = null) =>
        client.PostJsonAsync("/api/tenant/invoices", new { type, amount, remarks });

    public static async Task<InvoiceDto> RequestOkAsync(PortalClient client, string amount, InvoiceType type = InvoiceType.Ordinary)
    {
        var response = await RequestAsync(client, amount, type);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"request: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<InvoiceDto>(PortalClient.Json))!;
    }

    public static Task<InvoicesDto> InvoicesAsync(PortalClient client) => client.GetJsonAsync<InvoicesDto>("/api/tenant/invoices");

    public static async Task<InvoiceDto> InvoiceAsync(PortalClient client, Guid id) => (await InvoicesAsync(client)).Invoices.Single(i => i.Id == id);

    public static async Task<Result<Invoice>> IssueAsync(PortalFactory factory, Guid invoiceId)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<IssueInvoice.Handler>().HandleAsync(new IssueInvoice.Command(invoiceId));
    }

    public static async Task<Result<Invoice>> RejectAsync(PortalFactory factory, Guid invoiceId, string reason)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<RejectInvoice.Handler>().HandleAsync(new RejectInvoice.Command(invoiceId, reason));
    }

    public static async Task<Result<Invoice>> VoidAsync(PortalFactory factory, Guid invoiceId, string reason)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<VoidInvoice.Handler>().HandleAsync(new VoidInvoice.Command(invoiceId, reason));
    }

    public static async Task<Invoice> StoredAsync(PortalFactory factory, Guid invoiceId)
    {
        await using var db = await factory.DbAsync();
        return await db.Invoices.IgnoreTenantFilter().AsNoTracking().SingleAsync(i => i.Id == invoiceId);
    }

    public static async Task<string> CreditCodeAsync(PortalFactory factory, Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        return await db.KycSubmissions.IgnoreTenantFilter().Where(s => s.TenantId == tenantId && s.Status == KycStatus.Approved).Select(s => s.CreditCode!).SingleAsync();
    }

    /// <summary>A ledger movement the portal has no page for yet (refunds, plan purchases), posted through the ledger itself.</summary>
    public static async Task PostAsync(PortalFactory factory, Guid tenantId, LedgerEntryKind kind, Money amount)
    {
        await using var scope = factory.Scope();
        var posted = await scope.ServiceProvider.GetRequiredService<Ledger>().PostAsync(
            new LedgerPosting(tenantId, amount, kind, $"test:{kind}:{Guid.NewGuid():N}", $"test {kind}", "test.posted"));
        Assert.True(posted.IsSuccess, posted.Error?.Message);
    }

    /// <summary>
    /// Relayed requests as the relay records them (its use cases are built elsewhere): usage rows and the wallet
    /// decrement by what they charged, in one transaction, so Balance = Σ ledger − Σ usage charges keeps holding.
    /// </summary>
    public static async Task UsageAsync(PortalFactory factory, Guid tenantId, string model, int requests, long input, long output, Money cost, Money planCredit)
    {
        await using var db = await factory.DbAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var keyId = await db.ApiKeys.IgnoreTenantFilter().Where(k => k.TenantId == tenantId).Select(k => (Guid?)k.Id).FirstOrDefaultAsync();
        var now = factory.Clock.GetUtcNow();
        if (keyId is null)
        {
            keyId = Ids.New();
            db.ApiKeys.Add(new ApiKey
            {
                Id = keyId.Value,
                TenantId = tenantId,
                Name = "test",
                Prefix = "sk-cn-test",
                SecretHash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
                Status = ApiKeyStatus.Active,
                CreatedByUserId = Guid.Empty,
                CreatedAt = now,
                UpdatedAt = now,
            });
        }

        long charged = 0;
        for (var i = 0; i < requests; i++)
        {
            // Spread the totals over the requests; the first takes the remainders.
            var share = (long n) => n / requests + (i == 0 ? n % requests : 0);
            var requestCost = share(cost.MicroYuan);
            var requestPlan = Math.Min(requestCost, share(planCredit.MicroYuan));
            charged += requestCost - requestPlan;
            db.UsageRecords.Add(new UsageRecord
            {
                Id = Ids.New(),
                TenantId = tenantId,
                ApiKeyId = keyId.Value,
                RequestId = "req_" + Guid.NewGuid().ToString("N"),
                At = now,
                Endpoint = UsageEndpoint.ChatCompletions,
                Model = model,
                InputTokens = share(input),
                OutputTokens = share(output),
                CostMicroYuan = requestCost,
                PlanCreditUsedMicroYuan = requestPlan,
                WalletChargedMicroYuan = requestCost - requestPlan,
                Status = UsageStatus.Succeeded,
                HttpStatus = 200,
                ClientIp = "127.0.0.1",
            });
        }

        await db.SaveChangesAsync();
        await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(w => w.BalanceMicroYuan, w => w.BalanceMicroYuan - charged));
        await transaction.CommitAsync();
    }
}
