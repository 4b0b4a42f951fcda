using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.BankTransfer;

public static class BankTransferFeature
{
    public static IServiceCollection AddBankTransfers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BankTransferOptions>().Bind(configuration.GetSection(BankTransferOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.MinimumYuan <= o.MaximumYuan, "BankTransfer:MinimumYuan must not exceed BankTransfer:MaximumYuan.")
            .Validate(o => o.IsConfigured || (o.AccountName + o.BankName + o.Branch + o.AccountNumber).Trim().Length == 0,
                "BankTransfer: set all of AccountName, BankName, Branch and AccountNumber, or none (transfers off).")
            .ValidateOnStart();
        services.OverlayPlatformSettings<BankTransferOptions>(BankTransferOptions.Section);
        services.AddScoped<BankTransferSettlement>();
        services.AddScoped<CreateBankTransfer.Handler>();
        services.AddScoped<CancelBankTransfer.Handler>();
        services.AddScoped<ConfirmBankTransfer.Handler>();
        services.AddScoped<RejectBankTransfer.Handler>();
        services.AddScoped<BankTransferQueries>();
        services.AddScoped<ExpireBankTransfersJob>();
        services.AddScoped<ImportBankStatement.Handler>();
        services.AddScoped<MatchBankStatementJob>();
        services.AddScoped<ResolveBankStatementLine.Handler>();
        services.AddScoped<BankStatementQueries>();
        return services;
    }
}
