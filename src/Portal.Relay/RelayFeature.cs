using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Core.Features.Catalog;
using Portal.Relay.Access;
using Portal.Relay.Admission;
using Portal.Relay.Auth;
using Portal.Relay.Catalog;
using Portal.Relay.Endpoints;
using Portal.Relay.Forwarding;
using Portal.Relay.Protocols.Anthropic;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Protocols.Azure;
using Portal.Relay.Protocols.Gemini;
using Portal.Relay.Protocols.OpenAI;
using Portal.Relay.Upstream;
using Portal.Relay.Settlement;

namespace Portal.Relay;

public static class RelayFeature
{
    /// <summary>
    /// The <c>/v1</c> relay: options <c>Relay:*</c>, caches, admission (leases, key budgets), forwarding (HTTP client,
    /// circuit breakers, health), the settlement writer (a hosted service) and the endpoints' handlers. Replaces the
    /// placeholder <see cref="IRelayCache"/> and provides <see cref="IChannelHealth"/>.
    /// </summary>
    public static IServiceCollection AddRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RelayOptions>()
            .Bind(configuration.GetSection(RelayOptions.Section))
            .PostConfigure(o => o.EffectiveReplicaId = string.IsNullOrWhiteSpace(o.ReplicaId) ? DefaultReplicaId() : o.ReplicaId.Trim())
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<KeyCache>();
        services.AddSingleton<TenantGate>();
        services.AddSingleton<CatalogCache>();
        services.AddSingleton<RelayAuthenticator>();
        services.AddSingleton(sp => new RateLimiter(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<WalletLeases>();
        services.AddSingleton<KeyBudgets>();
        services.AddSingleton<UpstreamForwarder>();
        // Wire families: one codec each (canonical model ⇄ wire), one HTTP target per upstream channel type.
        services.AddSingleton<IChatCodec>(OpenAIChatCodec.Instance);
        services.AddSingleton<IChatCodec>(AnthropicCodec.Instance);
        services.AddSingleton<IChatCodec>(GeminiChatCodec.Instance);
        services.AddSingleton<ChatCodecs>();
        services.AddSingleton<IUpstreamTarget, OpenAICompatibleTarget>();
        services.AddSingleton<IUpstreamTarget, AnthropicTarget>();
        services.AddSingleton<IUpstreamTarget, GeminiTarget>();
        services.AddSingleton<IUpstreamTarget, AzureOpenAITarget>();
        services.AddSingleton<UpstreamTargets>();
        services.AddSingleton<SimulatedUpstreams>();
        services.AddSingleton<RelaySurfaces>();
        services.AddSingleton<SettlementWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<SettlementWriter>());
        services.AddSingleton<RelayRequests>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddSingleton<BillingEndpoints>();

        services.AddHttpClient(UpstreamForwarder.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(UpstreamForwarder.CreateHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();

        services.RemoveAll<IRelayCache>();
        services.AddSingleton<IRelayCache, RelayCacheInvalidation>();
        services.RemoveAll<IChannelHealth>();
        services.AddSingleton<IChannelHealth, ChannelHealth>();
        return services;
    }

    /// <summary>Machine, process and a random suffix: unique per process, recognisable in <c>wallet_leases</c>.</summary>
    private static string DefaultReplicaId()
    {
        var id = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        return id.Length > 100 ? id[^100..] : id;
    }
}
