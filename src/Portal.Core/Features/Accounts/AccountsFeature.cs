using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

public static class AccountsFeature
{
    /// <summary>The Identity tables' shape; the model (and so the migrations) depends on it.</summary>
    public static readonly Version IdentitySchema = IdentitySchemaVersions.Version2;

    /// <summary>Services the model needs outside the web host (design-time migrations): Identity's store options.</summary>
    public static IServiceProvider ModelServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIdentityCore<PortalUser>(o => o.Stores.SchemaVersion = IdentitySchema);
        return services.BuildServiceProvider();
    }

    /// <summary>Identity on EF Core with confirmed email, lockout and TOTP; the current user; the first admin.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddScoped<ICurrentUser>(sp => sp.GetRequiredService<CurrentUser>());
        services.AddScoped<ITenantContext>(sp => sp.GetRequiredService<CurrentUser>());
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection(BootstrapOptions.Section));

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.SignIn.RequireConfirmedAccount = true;
                o.SignIn.RequireConfirmedEmail = true;
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Stores.SchemaVersion = IdentitySchema;
            })
            .AddRoles<PortalRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddTokenProvider<ClockedTokenProvider>(TokenOptions.DefaultProvider)
            .AddErrorDescriber<LocalizedIdentityErrorDescriber>()
            .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromDays(1));

        services.AddScoped<RegisterAccount.Handler>();
        services.AddScoped<RequestPasswordReset.Handler>();
        services.AddScoped<SecurityAudit>();
        services.AddScoped<BootstrapPlatformAdmin>();
        services.AddScoped<UserAdminQueries>();
        services.AddScoped<OperatorAccess>();
        return services;
    }
}
