using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

public static class KycFeature
{
    /// <summary>Real-name verification: use cases, queries, the gate, localised validator texts.</summary>
    public static IServiceCollection AddKyc(this IServiceCollection services)
    {
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
