using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Portal.Relay.Access;

namespace Portal.Web.Hosting;

/// <summary>
/// Bound from <c>ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
/// the portal believes. Empty (the default) means none: the client address is the connection's, whatever headers a
/// client sends.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses the proxies connect from (<c>10.0.0.5</c>, <c>127.0.0.1</c>, <c>::1</c>).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>CIDR blocks the proxies connect from (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool IsConfigured => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    /// <summary>
    /// The middleware's options: exactly the configured proxies and networks (ASP.NET's default trust in loopback is
    /// dropped), and no limit on the number of hops, so a chain of listed proxies is walked back to the first address
    /// that is not one of them; that address is the client. Call only on validated options.
    /// </summary>
    public ForwardedHeadersOptions ToMiddlewareOptions()
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in KnownProxies) options.KnownProxies.Add(IpAllowlist.ParseEntry(proxy).Value.BaseAddress);
        foreach (var network in KnownNetworks) options.KnownIPNetworks.Add(IpAllowlist.ParseEntry(network).Value);
        return options;
    }
}

/// <summary>Startup check of <see cref="TrustedProxyOptions"/>: every entry is an address (proxies) or a CIDR block (networks).</summary>
internal sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Length; i++)
        {
            var entry = options.KnownProxies[i];
            if (entry.Contains('/'))
                failures.Add($"{TrustedProxyOptions.Section}:KnownProxies:{i} '{entry}' is a CIDR block; list blocks under {TrustedProxyOptions.Section}:KnownNetworks.");
            else if (IpAllowlist.ParseEntry(entry) is { IsSuccess: false } parsed)
                failures.Add($"{TrustedProxyOptions.Section}:KnownProxies:{i} {parsed.Error.Message}");
        }

        for (var i = 0; i < options.KnownNetworks.Length; i++)
        {
            if (IpAllowlist.ParseEntry(options.KnownNetworks[i]) is { IsSuccess: false } parsed)
                failures.Add($"{TrustedProxyOptions.Section}:KnownNetworks:{i} {parsed.Error.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Opt-in <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> from the reverse proxies named in <c>ForwardedHeaders</c>,
/// so that API-key IP allowlists, usage records, audit entries and payment notification logs see the client's address
/// rather than the proxy's. With nothing configured the middleware is not added at all.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static WebApplicationBuilder AddPortalForwardedHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrustedProxyOptions>().Bind(builder.Configuration.GetSection(TrustedProxyOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        return builder;
    }

    /// <summary>
    /// Must come first in the pipeline, before routing: the relay's <c>/v1</c> endpoints short-circuit at routing
    /// (nothing after it runs for them), and authentication, antiforgery and the relay's IP checks must all see the
    /// forwarded address. Reading the options here also fails startup on a malformed entry.
    /// </summary>
    public static WebApplication UsePortalForwardedHeaders(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value;
        if (!proxies.IsConfigured) return app;

        app.Logger.LogInformation("Forwarded headers are trusted from proxies [{Proxies}] and networks [{Networks}].",
            string.Join(", ", proxies.KnownProxies), string.Join(", ", proxies.KnownNetworks));
        app.UseForwardedHeaders(proxies.ToMiddlewareOptions());
        return app;
    }
}
