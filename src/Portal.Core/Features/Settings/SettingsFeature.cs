using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Settings;

public static class SettingsFeature
{
    /// <summary>The operator's settings page: branding, and the overrides of the payments, transfer and invoice options.</summary>
    public static IServiceCollection AddPlatformSettings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BrandingOptions>().Bind(configuration.GetSection(BrandingOptions.Section)).ValidateDataAnnotations()
            .Validate(o => BrandingOptions.IsAcceptableLogo(o.LogoUrl), "Branding:LogoUrl is a path on this site or a PNG, JPEG or WebP data: URL of at most 64 KB.")
            .ValidateOnStart();
        services.OverlayPlatformSettings<BrandingOptions>(BrandingOptions.Section);
        services.AddScoped<PlatformSettingsQueries>();
        services.AddScoped<SavePlatformSettings.Handler>();
        return services;
    }
}
