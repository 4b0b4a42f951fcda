using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Common.Storage;

namespace Portal.Core.Features.Kyc;

public static class KycFeature
{
    /// <summary>Real-name verification: use cases, queries, the gate, localised validator texts and the file store.</summary>
    public static IServiceCollection AddKyc(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IFileStore>(sp =>
        {
            var path = sp.GetRequiredService<IOptions<StorageOptions>>().Value.Path;
            return new LocalFileStore(Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path));
        });
        services.AddSingleton<IKycMessages, LocalizedKycMessages>();
        services.AddSingleton<ResidentIdSecrets>();
        services.AddSingleton<IInterceptor>(ResidentIdEncryption.Instance);
        services.AddScoped<IStartupTask, EncryptLegacyIdNumbers>();
        services.AddScoped<IKycGate, KycGate>();
        services.AddScoped<KycQueries>();
        services.AddScoped<UploadKycDocument.Handler>();
        services.AddScoped<SaveKycDraft.Handler>();
        services.AddScoped<SubmitKyc.Handler>();
        services.AddScoped<ApproveKyc.Handler>();
        services.AddScoped<RejectKyc.Handler>();
        services.AddScoped<RevokeKyc.Handler>();
        return services;
    }
}
