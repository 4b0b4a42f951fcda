using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.Core.Features.Settings;
using Portal.IntegrationTests.Features.Invoices;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Settings;

/// <summary>
/// The operator's settings page: values saved there override configuration at once (no restart), for the code that
/// reads them (transfers, top-ups, invoices, branding), and every change is audited. Each test leaves the settings as
/// configured, so the tests of the class do not depend on one another's order.
/// </summary>
public abstract class PlatformSettingsTests<TFactory> : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private readonly TFactory factory;

    protected PlatformSettingsTests(TFactory factory) => this.factory = factory;

    [Fact]
    public async Task A_new_receiving_account_and_transfer_rules_apply_to_the_next_transfer_without_a_restart_and_are_audited()
    {
        var (client, _) = await factory.VerifiedTenantAsync("设置转账科技有限公司");
        var before = await client.StartTransferAsync("2000");
        Assert.Equal("121900000000001", before.Account.AccountNumber);

        var configured = await CurrentAsync();
        try
        {
            var saved = await SaveAsync(configured with
            {
                BankAccountName = "新收款科技有限公司",
                BankName = "中国工商银行",
                BankBranch = "北京中关村支行",
                BankAccountNumber = "0200000000000000888",
                TransferMinimumYuan = 5000,
                TransferValidityDays = 7,
            });
            Assert.True(saved.IsSuccess, saved.Error?.Message);
            Assert.Equal(6, saved.Value!.ChangedKeys.Count);

            var now = factory.Clock.GetUtcNow();
            var after = await client.StartTransferAsync("6000");
            Assert.Equal(("新收款科技有限公司", "中国工商银行", "北京中关村支行", "0200000000000000888"),
                (after.Account.AccountName, after.Account.BankName, after.Account.Branch, after.Account.AccountNumber));
            Assert.Equal(now.AddDays(7), after.ExpiresAt, TimeSpan.FromSeconds(1));
            var tooSmall = await client.PostJsonAsync("/api/tenant/bank-transfers", new { amount = "4999" });
            Assert.Equal(HttpStatusCode.BadRequest, tooSmall.StatusCode);

            await using var db = await factory.DbAsync();
            var entry = await db.AuditEntries.IgnoreTenantFilter().OrderByDescending(a => a.At).FirstAsync(a => a.Action == "platform.settings_changed");
            Assert.Equal(PortalFactory.AdminEmail, entry.Actor);
            Assert.Null(entry.TenantId);
            Assert.Contains("BankTransfer:AccountNumber: 121900000000001 → 0200000000000000888", entry.Summary);
            Assert.Contains("BankTransfer:ValidityDays: 30 → 7", entry.Summary);
            var stored = await db.PlatformSettings.AsNoTracking().SingleAsync(s => s.Key == "BankTransfer:AccountNumber");
            Assert.Equal("0200000000000000888", stored.Value);
        }
        finally
        {
            Assert.True((await SaveAsync(configured)).IsSuccess);
        }
    }

    [Fact]
    public async Task A_new_top_up_limit_applies_to_the_next_top_up_and_the_form_shows_the_current_values()
    {
        var (client, _) = await factory.VerifiedTenantAsync("设置充值科技有限公司");
        var configured = await CurrentAsync();
        try
        {
            Assert.True((await SaveAsync(configured with { TopUpMinimumYuan = 50, TopUpMaximumYuan = 500 })).IsSuccess);

            var tooSmall = await client.PostJsonAsync("/api/tenant/top-ups", new { amount = "49", channel = PaymentChannel.AlipayQr });
            Assert.Equal(HttpStatusCode.BadRequest, tooSmall.StatusCode);
            Assert.Contains("500", await tooSmall.Content.ReadAsStringAsync());
            var tooLarge = await client.PostJsonAsync("/api/tenant/top-ups", new { amount = "501", channel = PaymentChannel.AlipayQr });
            Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/tenant/top-ups", new { amount = "50", channel = PaymentChannel.AlipayQr })).StatusCode);

            var shown = await CurrentAsync();
            Assert.Equal((50L, 500L), (shown.TopUpMinimumYuan, shown.TopUpMaximumYuan));
        }
        finally
        {
            Assert.True((await SaveAsync(configured)).IsSuccess);
        }
        Assert.Equal(1, factory.Services.GetRequiredService<IOptionsMonitor<PaymentsOptions>>().CurrentValue.MinimumTopUpYuan);
    }

    [Fact]
    public async Task A_new_seller_and_tax_rate_are_printed_on_the_next_invoice()
    {
        var (client, _) = await InvoiceArrange.PaidTenantAsync(factory, "设置发票科技有限公司", "1000");
        var configured = await CurrentAsync();
        try
        {
            Assert.True((await SaveAsync(configured with { SellerName = "新销售方有限公司", SellerTaxpayerId = "91110108MA00000000", TaxRate = 0.03m, PlatformName = "智算平台" })).IsSuccess);

            var requested = await InvoiceArrange.RequestOkAsync(client, "103.00");
            Assert.Equal("3.00", requested.Tax);
            Assert.Equal("100.00", requested.Net);
            var issued = await InvoiceArrange.IssueAsync(factory, requested.Id);
            Assert.True(issued.IsSuccess, issued.Error?.Message);
            var stored = await InvoiceArrange.StoredAsync(factory, requested.Id);
            Assert.Equal(("新销售方有限公司", "91110108MA00000000", 300), (stored.SellerName, stored.SellerTaxpayerId, stored.TaxRateBasisPoints));
            Assert.Equal("智算平台", factory.Services.GetRequiredService<IOptionsMonitor<BrandingOptions>>().CurrentValue.PlatformName);
        }
        finally
        {
            Assert.True((await SaveAsync(configured)).IsSuccess);
        }
    }

    [Fact]
    public async Task A_setting_another_replica_saved_is_picked_up_when_the_settings_are_read_again()
    {
        var options = factory.Services.GetRequiredService<IOptionsMonitor<BankTransferOptions>>();
        Assert.Equal(30, options.CurrentValue.ValidityDays);
        await using (var db = await factory.DbAsync())
        {
            // Another replica's save: a row this process has not read yet.
            var row = await db.PlatformSettings.FirstOrDefaultAsync(s => s.Key == "BankTransfer:ValidityDays");
            if (row is null) db.PlatformSettings.Add(row = new PlatformSetting { Key = "BankTransfer:ValidityDays" });
            row.Value = "12";
            row.UpdatedAt = factory.Clock.GetUtcNow();
            await db.SaveChangesAsync();
        }
        try
        {
            Assert.Equal(30, options.CurrentValue.ValidityDays);
            await factory.Services.GetRequiredService<PlatformSettingsStore>().ReloadAsync();
            Assert.Equal(12, options.CurrentValue.ValidityDays);
        }
        finally
        {
            var configured = await CurrentAsync();
            Assert.True((await SaveAsync(configured with { TransferValidityDays = 30 })).IsSuccess);
        }
        Assert.Equal(30, options.CurrentValue.ValidityDays);
    }

    [Fact]
    public async Task Invalid_values_are_refused_field_by_field_and_change_nothing()
    {
        var configured = await CurrentAsync();
        var refused = await SaveAsync(configured with
        {
            PlatformName = " ",
            BankAccountNumber = "",
            TopUpMinimumYuan = 900,
            TopUpMaximumYuan = 100,
            TaxRate = 0.06125m,
            SellerTaxpayerId = "not-an-id",
            LogoUrl = "https://elsewhere.example/logo.png",
        });

        var fields = Assert.IsType<ValidationError>(refused.Error).Fields;
        Assert.Equal(
            new[] { "BankAccountName", "LogoUrl", "PlatformName", "SellerTaxpayerId", "TaxRate", "TopUpMaximumYuan" },
            fields.Keys.Order().ToArray());
        Assert.Equal(configured, await CurrentAsync());
        await using var db = await factory.DbAsync();
        Assert.False(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.Action == "platform.settings_changed" && a.Summary.Contains("elsewhere")));
    }

    [Fact]
    public async Task A_logo_is_an_image_of_its_declared_type()
    {
        var png = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        Assert.True(BrandingOptions.IsAcceptableLogo("data:image/png;base64," + png));
        Assert.False(BrandingOptions.IsAcceptableLogo("data:image/jpeg;base64," + png));
        Assert.False(BrandingOptions.IsAcceptableLogo("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="));
        Assert.False(BrandingOptions.IsAcceptableLogo("data:image/png;base64," + Convert.ToBase64String(new byte[BrandingOptions.MaxLogoBytes + 1])));
        Assert.False(BrandingOptions.IsAcceptableLogo("//elsewhere.example/logo.png"));
        Assert.True(BrandingOptions.IsAcceptableLogo("/assets/brand/logo.svg"));

        var configured = await CurrentAsync();
        try
        {
            Assert.True((await SaveAsync(configured with { LogoUrl = "data:image/png;base64," + png })).IsSuccess);
            var signedOut = factory.CreateClient();
            Assert.Contains("data:image/png;base64," + png, await signedOut.GetStringAsync("/Account/Login"));
            await using var db = await factory.DbAsync();
            var entry = await db.AuditEntries.IgnoreTenantFilter().OrderByDescending(a => a.At).FirstAsync(a => a.Action == "platform.settings_changed");
            Assert.DoesNotContain(png, entry.Summary);
        }
        finally
        {
            Assert.True((await SaveAsync(configured)).IsSuccess);
        }
    }

    [Fact]
    public async Task Only_a_PlatformAdmin_may_change_settings_or_open_the_page()
    {
        var configured = await CurrentAsync();
        foreach (var principal in new[]
        {
            CurrentUser.For(Guid.NewGuid(), "finance@operators.test", null, OperatorRoles.PlatformFinance),
            CurrentUser.For(Guid.NewGuid(), "owner@tenant.test", Guid.NewGuid()),
        })
        {
            await using var scope = factory.Scope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(principal);
            var refused = await scope.ServiceProvider.GetRequiredService<SavePlatformSettings.Handler>()
                .HandleAsync(new SavePlatformSettings.Command(configured with { BankAccountNumber = "6666" }));
            Assert.Equal("Auth.Forbidden", refused.Error?.Code);
        }
        Assert.Equal(configured, await CurrentAsync());

        var client = await PortalClient.SignUpAsync(factory, "设置越权科技有限公司");
        var page = await client.Http.GetAsync("/admin/settings");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", page.LocationPath());
        var anonymous = await factory.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/admin/settings");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Account/Login", anonymous.LocationPath());
    }

    private async Task<PlatformSettingsValues> CurrentAsync()
    {
        await using var scope = factory.Scope();
        return scope.ServiceProvider.GetRequiredService<PlatformSettingsQueries>().Current();
    }

    private async Task<Result<SavePlatformSettings.Saved>> SaveAsync(PlatformSettingsValues values)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<SavePlatformSettings.Handler>().HandleAsync(new SavePlatformSettings.Command(values));
    }
}

public sealed class PlatformSettingsTestsOnPostgres(PostgresPortalFactory factory) : PlatformSettingsTests<PostgresPortalFactory>(factory);

public sealed class PlatformSettingsTestsOnSqlite(SqlitePortalFactory factory) : PlatformSettingsTests<SqlitePortalFactory>(factory);
