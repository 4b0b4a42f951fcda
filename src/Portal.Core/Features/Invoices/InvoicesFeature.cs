using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Data;

namespace Portal.Core.Features.Invoices;

public static class InvoicesFeature
{
    /// <summary>Invoices (profile, requests, issue, reject, void, downloads, verification) and monthly statements.</summary>
    public static IServiceCollection AddInvoices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InvoiceOptions>().Bind(configuration.GetSection(InvoiceOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.TaxRateIsExact, "Invoice:TaxRate has at most four decimals (0.06 = 6 %).")
            .Validate(o => o.IsConfigured || (o.SellerName + o.SellerTaxpayerId + o.SellerAddress + o.SellerPhone + o.SellerBank + o.SellerAccount).Trim().Length == 0,
                "Invoice: set all of SellerName, SellerTaxpayerId, SellerAddress, SellerPhone, SellerBank and SellerAccount, or none (invoicing off).")
            .ValidateOnStart();
        services.OverlayPlatformSettings<InvoiceOptions>(InvoiceOptions.Section);
        services.AddSingleton<InvoiceFont>();
        services.TryAddSingleton<IInvoiceIssuer, PlatformInvoiceIssuer>();
        services.TryAddSingleton<IExpiredPlanCreditSource, NoExpiredPlanCredit>();
        services.AddScoped<SaveInvoiceProfile.Handler>();
        services.AddScoped<RequestInvoice.Handler>();
        services.AddScoped<CancelInvoiceRequest.Handler>();
        services.AddScoped<IssueInvoice.Handler>();
        services.AddScoped<RejectInvoice.Handler>();
        services.AddScoped<VoidInvoice.Handler>();
        services.AddScoped<InvoiceQueries>();
        services.AddScoped<StatementGenerator>();
        services.AddScoped<StatementQueries>();
        services.AddScoped<MonthlyStatementsJob>();
        return services;
    }
}
