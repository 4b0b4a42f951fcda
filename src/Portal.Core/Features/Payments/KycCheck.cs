using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.Kyc;

namespace Portal.Core.Features.Payments;

/// <summary>
/// Asks the registered <see cref="IKycGate"/> whether a tenant may pay. The gate is implemented by the KYC feature;
/// while none is registered, payments are refused (fail closed) rather than the app failing to start.
/// </summary>
public sealed class KycCheck(IServiceProvider services)
{
    public async Task<Error?> CheckAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var gate = services.GetService<IKycGate>();
        return gate is null ? KycGateErrors.NotVerified : await gate.CheckAsync(tenantId, cancellationToken);
    }
}
