using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.DataRights;

public static class DataRightsFeature
{
    /// <summary>Tenant data export (ZIP with manifest) and account closure with its deletion certificate.</summary>
    public static IServiceCollection AddDataRights(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DataRightsOptions>().Bind(configuration.GetSection(DataRightsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<RequestDataExport.Handler>();
        services.AddScoped<DataExportQueries>();
        services.AddScoped<BuildDataExportJob>();
        services.AddScoped<ExpireDataExportsJob>();
        services.AddScoped<CloseAccount.Handler>();
        services.AddScoped<ClosureQueries>();
        return services;
    }
}
