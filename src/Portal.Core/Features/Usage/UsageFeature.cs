using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Features.Usage;

public static class UsageFeature
{
    public static IServiceCollection AddUsage(this IServiceCollection services)
    {
        services.AddSingleton<IWalletChargeSource, UsageChargeSource>();
        return services;
    }
}
