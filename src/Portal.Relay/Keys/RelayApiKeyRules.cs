using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Common;
using Portal.Core.Features.ApiKeys;
using Portal.Relay.Access;

namespace Portal.Relay.Keys;

/// <summary><see cref="IApiKeyRules"/> for the portal's key pages: the relay's own <see cref="ApiKeyFormat"/> and <see cref="IpAllowlist"/>.</summary>
public sealed class RelayApiKeyRules : IApiKeyRules
{
    public IssuedSecret NewSecret()
    {
        var secret = ApiKeyFormat.Generate();
        return new IssuedSecret(secret, ApiKeyFormat.Hash(secret), ApiKeyFormat.Prefix(secret));
    }

    public Result<string> NormalizeIpRange(string entry)
    {
        var parsed = IpAllowlist.ParseEntry(entry);
        return parsed.IsSuccess ? parsed.Value.ToString() : parsed.Error;
    }
}

public static class RelayApiKeyRulesFeature
{
    /// <summary>Registers <see cref="RelayApiKeyRules"/> as the portal's <see cref="IApiKeyRules"/>.</summary>
    public static IServiceCollection AddRelayApiKeyRules(this IServiceCollection services)
    {
        services.TryAddSingleton<IApiKeyRules, RelayApiKeyRules>();
        return services;
    }
}
