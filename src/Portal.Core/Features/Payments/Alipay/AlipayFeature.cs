using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay.Simulator;

namespace Portal.Core.Features.Payments.Alipay;

public static class AlipayFeature
{
    /// <summary>The HttpClient the portal calls the Alipay gateway (and downloads bills) with.</summary>
    public const string HttpClientName = "alipay";

    /// <summary>
    /// Alipay options (validated at startup: a real gateway without its keys stops the app, naming the key),
    /// the protocol client, and the built-in simulator, which supplies gateway and keys in Simulator mode.
    /// </summary>
    public static IServiceCollection AddAlipay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlipayOptions>().Bind(configuration.GetSection(AlipayOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlipayOptions>, AlipayOptionsValidator>();
        services.AddSingleton<IPostConfigureOptions<AlipayOptions>, AlipayKeyFiles>();
        services.AddHttpClient(HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddScoped(sp => new AlipayClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<AlipayOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));

        services.AddOptions<AlipaySimulatorOptions>().Bind(configuration.GetSection(AlipaySimulatorOptions.Section));
        services.AddSingleton<SimulatorKeyStore>();
        services.AddSingleton<IPostConfigureOptions<AlipayOptions>, SimulatorAlipayConfiguration>();
        services.AddScoped<AlipaySimulator>();
        services.AddHttpClient(AlipaySimulatorNotifier.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<AlipaySimulatorNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<AlipaySimulatorNotifier>());
        return services;
    }
}

/// <summary>Reads <c>Alipay:PrivateKeyFile</c> and <c>Alipay:AlipayPublicKeyFile</c> into the options (before the simulator's keys).</summary>
internal sealed class AlipayKeyFiles(IHostEnvironment environment) : IPostConfigureOptions<AlipayOptions>
{
    public void PostConfigure(string? name, AlipayOptions options)
    {
        options.PrivateKey = SecretSource.Resolve("Alipay:PrivateKey", options.PrivateKey, options.PrivateKeyFile, environment.ContentRootPath);
        options.AlipayPublicKey = SecretSource.Resolve("Alipay:AlipayPublicKey", options.AlipayPublicKey, options.AlipayPublicKeyFile, environment.ContentRootPath);
    }
}

/// <summary>Startup check of <see cref="AlipayOptions"/>: every key the mode needs is present and loads.</summary>
internal sealed class AlipayOptionsValidator : IValidateOptions<AlipayOptions>
{
    public ValidateOptionsResult Validate(string? name, AlipayOptions options)
    {
        var failures = options.MissingKeys().Select(key => $"{key} must be set when Alipay:Mode is {options.Mode}.").ToList();
        if (failures.Count > 0) return ValidateOptionsResult.Fail(failures);

        try
        {
            using var privateKey = RsaKeys.LoadPrivateKey(options.PrivateKey);
        }
        catch (ArgumentException ex)
        {
            failures.Add($"Alipay:PrivateKey is not usable: {ex.Message}");
        }

        try
        {
            using var publicKey = RsaKeys.LoadPublicKey(options.AlipayPublicKey);
        }
        catch (ArgumentException ex)
        {
            failures.Add($"Alipay:AlipayPublicKey is not usable: {ex.Message}");
        }

        if (!Uri.TryCreate(options.ResolveGateway(), UriKind.Absolute, out var gateway) || (gateway.Scheme != Uri.UriSchemeHttps && options.Mode != AlipayMode.Simulator))
            failures.Add("Alipay:Gateway must be an absolute https URL.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
