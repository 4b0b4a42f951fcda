using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.Core.Features.Payments;

public static class PaymentsFeature
{
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentsOptions>().Bind(configuration.GetSection(PaymentsOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.MinimumTopUpYuan <= o.MaximumTopUpYuan, "Payments:MinimumTopUpYuan must not exceed Payments:MaximumTopUpYuan.")
            .ValidateOnStart();
        services.OverlayPlatformSettings<PaymentsOptions>(PaymentsOptions.Section);
        services.AddAlipay(configuration);
        services.AddScoped<ITopUpRail, AlipayTopUpRail>();
        services.AddWechatPay(configuration);
        services.AddScoped<TopUpSettlement>();
        services.AddScoped<CreateTopUp.Handler>();
        services.AddScoped<StartPagePay.Handler>();
        services.AddScoped<CancelTopUp.Handler>();
        services.AddScoped<TopUpQueries>();
        services.AddScoped<HandleAlipayNotify.Handler>();
        services.AddScoped<PendingTopUpsJob>();
        services.AddScoped<AlipayBillReconciliationJob>();
        services.AddScoped<ResolveReconciliationException.Handler>();
        services.AddScoped<PaymentsAdminQueries>();
        return services;
    }
}
