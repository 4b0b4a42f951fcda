using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Features.Payments.WechatPay.Simulator;

namespace Portal.Core.Features.Payments.WechatPay;

public static class WechatPayFeature
{
    /// <summary>The HttpClient the portal calls WeChat Pay with (API, certificates, bill downloads).</summary>
    public const string HttpClientName = "wechatpay";

    /// <summary>
    /// WeChat Pay options (validated at start-up: a real merchant without its keys stops the app, naming the key), the
    /// APIv3 client and verifier, the notification handler, and the built-in simulator, which supplies gateway and keys
    /// in Simulator mode.
    /// </summary>
    public static IServiceCollection AddWechatPay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WechatPayOptions>().Bind(configuration.GetSection(WechatPayOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WechatPayOptions>, WechatPayOptionsValidator>();
        services.AddHttpClient(HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<WechatPayPlatformCertificates>();
        services.AddSingleton<WechatPayVerifier>();
        services.AddScoped(sp => new WechatPayClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<WechatPayOptions>>(),
            sp.GetRequiredService<WechatPayVerifier>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<ITopUpRail, WechatPayTopUpRail>();
        services.AddScoped<HandleWechatPayNotify.Handler>();
        services.AddScoped<WechatPayBillReconciliationJob>();

        services.AddOptions<WechatPaySimulatorOptions>().Bind(configuration.GetSection(WechatPaySimulatorOptions.Section));
        services.AddSingleton<WechatPaySimulatorKeyStore>();
        services.AddSingleton<IPostConfigureOptions<WechatPayOptions>, SimulatorWechatPayConfiguration>();
        services.AddScoped<WechatPaySimulator>();
        services.AddHttpClient(WechatPaySimulatorNotifier.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<WechatPaySimulatorNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<WechatPaySimulatorNotifier>());
        return services;
    }
}
