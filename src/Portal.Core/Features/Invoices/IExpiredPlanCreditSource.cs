using Portal.Core.Data;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Plan credit that lapsed unused in a period, for the statement's information line. The plans feature provides the
/// real source (from its plan-credit history); until it is registered, <see cref="NoExpiredPlanCredit"/> reports zero.
/// </summary>
public interface IExpiredPlanCreditSource
{
    Task<long> ExpiredMicroYuanAsync(PortalDbContext db, Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

/// <summary>The default while no plan feature records expiries: nothing expired.</summary>
public sealed class NoExpiredPlanCredit : IExpiredPlanCreditSource
{
    public Task<long> ExpiredMicroYuanAsync(PortalDbContext db, Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult(0L);
}
