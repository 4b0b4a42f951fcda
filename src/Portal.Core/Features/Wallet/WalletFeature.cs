using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Wallet;

public static class WalletFeature
{
    public static IServiceCollection AddWallet(this IServiceCollection services)
    {
        services.AddScoped<Ledger>();
        services.AddScoped<WalletQueries>();
        services.AddScoped<PostAdjustment.Handler>();
        services.AddScoped<SetCreditLimit.Handler>();
        services.AddScoped<LedgerInvariant>();
        services.AddScoped<LedgerInvariantJob>();
        services.AddScoped<ReleaseExpiredLeasesJob>();
        services.AddScoped<AcknowledgeInvariantAlert.Handler>();
        return services;
    }
}
