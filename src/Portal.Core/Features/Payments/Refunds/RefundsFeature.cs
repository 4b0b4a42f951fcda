using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.Core.Features.Payments.Refunds;

public static class RefundsFeature
{
    public static IServiceCollection AddRefunds(this IServiceCollection services)
    {
        services.AddScoped<RefundPayouts>();
        services.AddScoped<RefundQueries>();
        services.AddScoped<RequestRefund.Handler>();
        services.AddScoped<CancelRefund.Handler>();
        services.AddScoped<ApproveRefund.Handler>();
        services.AddScoped<RejectRefund.Handler>();
        services.AddScoped<CompleteBankRefund.Handler>();
        services.AddScoped<RetryAlipayRefund.Handler>();
        services.AddScoped<RefundPayoutJob>();
        services.AddScoped<IWechatPayRefundNotifications, WechatRefundNotifications>();
        return services;
    }
}
