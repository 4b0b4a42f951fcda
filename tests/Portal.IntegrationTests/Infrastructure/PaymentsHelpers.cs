using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.Alipay.Simulator;
using Portal.Core.Features.Wallet;

namespace Portal.IntegrationTests.Infrastructure;

public sealed record TopUp(Guid Id, string OrderNo, string Amount, PaymentChannel Channel, TopUpStatus Status, DateTimeOffset ExpiresAt, DateTimeOffset? PaidAt, string? QrCode, string? PayUrl, string? Refunded = null);

public sealed record WalletState(string Balance, string CreditLimit, string Reserved, string Available, long BalanceMicroYuan, long AvailableMicroYuan);

/// <summary>Arranges money flows through the app's HTTP surface, its simulator and its use cases.</summary>
public static partial class PaymentsHelpers
{
    /// <summary>A signed-in Owner of a new tenant whose real-name verification an operator approved through the KYC use cases.</summary>
    public static async Task<(PortalClient Client, Guid TenantId)> VerifiedTenantAsync(this PortalFactory factory, string name = "充值测试科技有限公司")
    {
        var client = await PortalClient.SignUpAsync(factory, name);
        var tenantId = await factory.TenantOfAsync(client.Email);
        await KycApproval.ApproveAsync(factory.Services, client.Email, PortalFactory.AdminEmail, name);
        return (client, tenantId);
    }

    public static async Task<Guid> TenantOfAsync(this PortalFactory factory, string email)
    {
        await using var db = await factory.DbAsync();
        return await db.Memberships.IgnoreTenantFilter().Where(m => m.User!.Email == email).Select(m => m.TenantId).FirstAsync();
    }

    /// <summary>A context on the test's database outside the app (no tenant, no interceptor): for assertions and injected faults.</summary>
    public static Task<PortalDbContext> DbAsync(this PortalFactory factory)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        DataServiceCollectionExtensions.Configure(builder, factory.Provider, factory.ConnectionString);
        builder.UseApplicationServiceProvider(AccountsFeature.ModelServices());
        return Task.FromResult(new PortalDbContext(builder.Options));
    }

    public static async Task<TopUp> StartTopUpAsync(this PortalClient client, string amount, PaymentChannel channel = PaymentChannel.AlipayQr)
    {
        var response = await client.PostJsonAsync("/api/tenant/top-ups", new { amount, channel });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"top-up: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<TopUp>(response.Content, PortalClient.Json))!;
    }

    public static Task<TopUp> TopUpAsync(this PortalClient client, Guid id) => client.GetJsonAsync<TopUp>($"/api/tenant/top-ups/{id}");

    public static Task<WalletState> WalletAsync(this PortalClient client) => client.GetJsonAsync<WalletState>("/api/tenant/wallet");

    /// <summary>The buyer "scans" the QR code (opens its URL) and pays in the simulator.</summary>
    public static async Task PayQrAsync(this PortalClient client, TopUp order)
    {
        Assert.NotNull(order.QrCode);
        var scan = await client.Http.GetAsync(order.QrCode);
        Assert.Equal(HttpStatusCode.OK, scan.StatusCode);
        Assert.Contains("模拟支付", await scan.Content.ReadAsStringAsync());
        var pay = await client.Http.PostAsync(order.QrCode + "/pay", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);
        Assert.Contains("sim-paid", await pay.Content.ReadAsStringAsync());
    }

    /// <summary>The browser path of page pay: the portal's auto-submitting form, the gateway, the cashier, Pay. Returns the return URL.</summary>
    public static async Task<Uri> PayInCashierAsync(this PortalClient client, TopUp order)
    {
        var formPage = await client.Http.GetStringAsync(order.PayUrl);
        var action = WebUtility.HtmlDecode(FormAction().Match(formPage).Groups[1].Value);
        var fields = HiddenInput().Matches(formPage).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        var gateway = await client.Http.PostAsync(action, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, gateway.StatusCode);
        var cashier = gateway.Headers.Location!.OriginalString;
        Assert.Contains("模拟支付", await client.Http.GetStringAsync(cashier));
        var paid = await client.Http.PostAsync(cashier + "/pay", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        return paid.Headers.Location!;
    }

    public static async Task<int> DeliverNotificationsAsync(this PortalFactory factory) =>
        await factory.Services.GetRequiredService<AlipaySimulatorNotifier>().DeliverDueAsync();

    /// <summary>A valid notification for the simulator trade of <paramref name="orderNo"/>, signed with the simulator's Alipay key.</summary>
    public static async Task<List<KeyValuePair<string, string>>> SignedNotificationAsync(this PortalFactory factory, string orderNo)
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var trade = await db.SimulatorTrades.AsNoTracking().SingleAsync(t => t.OutTradeNo == orderNo);
        return scope.ServiceProvider.GetRequiredService<AlipaySimulator>().BuildNotification(trade).ToList();
    }

    public static async Task<string> PostNotifyAsync(this PortalFactory factory, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var http = factory.CreateClient();
        var response = await http.PostAsync("/payments/alipay/notify", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<List<LedgerEntry>> LedgerAsync(this PortalFactory factory, Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        return await db.LedgerEntries.IgnoreTenantFilter().AsNoTracking().Where(e => e.TenantId == tenantId).ToListAsync();
    }

    /// <summary>Balance = Σ ledger for the tenant's wallet (no usage charges exist yet), checked by the app's own invariant.</summary>
    public static async Task AssertLedgerInvariantAsync(this PortalFactory factory, Guid tenantId)
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().SingleAsync(w => w.TenantId == tenantId);
        var check = await scope.ServiceProvider.GetRequiredService<LedgerInvariant>().CheckAsync(wallet.Id);
        Assert.NotNull(check);
        Assert.True(check!.Holds, $"balance {check.Balance} but ledger says {check.Expected}");
        var entries = await db.LedgerEntries.IgnoreTenantFilter().AsNoTracking().Where(e => e.TenantId == tenantId).ToListAsync();
        Assert.Equal(wallet.BalanceMicroYuan, entries.Sum(e => e.AmountMicroYuan));
        // The entries form one chain (each balance-after = the previous one + its amount): no posting saw a stale balance.
        var remaining = entries.ToList();
        long current = 0;
        while (remaining.Count > 0)
        {
            var next = remaining.FirstOrDefault(e => e.BalanceAfterMicroYuan == current + e.AmountMicroYuan);
            Assert.True(next is not null, $"no ledger entry continues the chain at balance {current}");
            current = next!.BalanceAfterMicroYuan;
            remaining.Remove(next);
        }
    }

    /// <summary>A scope acting as the bootstrap PlatformAdmin, for operator use cases.</summary>
    public static async Task<AsyncServiceScope> OperatorScopeAsync(this PortalFactory factory)
    {
        var scope = factory.Scope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(PortalFactory.AdminEmail);
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin!.Id, admin.Email!, null, OperatorRoles.PlatformAdmin));
        return scope;
    }

    public static async Task<Result<LedgerPostResult>> AdjustAsync(this PortalFactory factory, Guid tenantId, Money amount, Guid? requestId = null, string memo = "test adjustment")
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(tenantId, amount, memo, requestId ?? Guid.NewGuid()));
    }

    public static async Task<AlipayTradeQueryResult?> QueryAtAlipayAsync(this PortalFactory factory, string orderNo)
    {
        await using var scope = factory.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<AlipayClient>().QueryAsync(orderNo);
        return result.IsSuccess ? result.Value : null;
    }

    [GeneratedRegex(@"<form[^>]*action=""([^""]+)""")]
    private static partial Regex FormAction();

    [GeneratedRegex(@"<input type=""hidden"" name=""([^""]+)"" value=""([^""]*)"">")]
    private static partial Regex HiddenInput();
}
