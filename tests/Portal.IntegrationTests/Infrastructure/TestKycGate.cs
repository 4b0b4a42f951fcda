using System.Collections.Concurrent;
using Portal.Core.Common;
using Portal.Core.Features.Kyc;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// Test-only stand-in for the KYC feature's gate (built on another branch): approves exactly the tenants a test
/// lists, and refuses everyone else with <see cref="KycGateErrors.NotVerified"/>.
/// </summary>
public sealed class TestKycGate : IKycGate
{
    private readonly ConcurrentDictionary<Guid, bool> _approved = new();

    public void Approve(Guid tenantId) => _approved[tenantId] = true;

    public Task<Error?> CheckAsync(Guid tenantId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_approved.ContainsKey(tenantId) ? null : KycGateErrors.NotVerified);
}
