using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Features.Usage.Alerts;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Features.Usage;

public static class UsageFeature
{
    public static IServiceCollection AddUsage(this IServiceCollection services)
    {
        services.AddSingleton<IWalletChargeSource, UsageChargeSource>();
        services.AddSingleton<IUsageBatchObserver, UsageRollupObserver>();
        services.AddScoped<UsageQueries>();
        services.AddScoped<RequestLog>();
        services.AddScoped<UsageExport>();
        services.AddScoped<OperatorDashboardQueries>();

        services.AddSingleton<WebhookSecrets>();
        services.AddScoped<AlertDispatch>();
        services.AddScoped<AlertQueries>();
        services.AddScoped<SaveAlertSettings.Handler>();
        services.AddScoped<RegenerateWebhookSecret.Handler>();
        services.AddScoped<SendTestWebhook.Handler>();
        services.AddScoped<UsageAlertsJob>();
        services.AddScoped<DeliverWebhooksJob>();
        services.AddHttpClient(DeliverWebhooksJob.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookHandler(sp.GetRequiredService<IHostEnvironment>().IsProduction()));
        return services;
    }

    /// <summary>No redirects (a 3xx could point inside); in production every resolved address must be public (SSRF).</summary>
    private static SocketsHttpHandler WebhookHandler(bool production)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (!production) return handler;
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var target = addresses.FirstOrDefault(WebhookUrlPolicy.IsPublic)
                         ?? throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no public address.");
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(target, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return handler;
    }
}
