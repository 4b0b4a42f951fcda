using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// The one server-side check that money and key features call first: top-ups, plan purchases, API key creation
/// and invoice requests are refused until the tenant's real-name verification is Approved, and again after it is revoked.
/// </summary>
public interface IKycGate
{
    /// <summary>Null when the tenant may proceed; otherwise <see cref="KycGateErrors.NotVerified"/> (or Revoked).</summary>
    Task<Error?> CheckAsync(Guid tenantId, CancellationToken cancellationToken = default);
}

public static class KycGateErrors
{
    public static readonly Error NotVerified = new("Kyc.NotVerified", "Complete real-name verification first: this needs an approved verification.");
    public static readonly Error Revoked = new("Kyc.Revoked", "The real-name verification of this account was revoked. Contact support or submit it again.");
}
