using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// Operator use cases check the caller's platform role in the database, not only the cookie, so that a revoked
/// role stops working at once (pages are additionally behind the operator policies with 2FA).
/// </summary>
public sealed class OperatorAccess(ICurrentUser currentUser)
{
    public async Task<Result<Guid>> RequireAsync(PortalDbContext db, CancellationToken cancellationToken, params string[] roles)
    {
        if (currentUser.UserId is not { } userId) return Error.Forbidden();
        var granted = await db.UserRoles.Where(ur => ur.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!)
            .AnyAsync(name => roles.Contains(name), cancellationToken);
        return granted ? userId : Error.Forbidden();
    }

    /// <summary>Money operations: PlatformFinance or PlatformAdmin.</summary>
    public Task<Result<Guid>> RequireFinanceAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        RequireAsync(db, cancellationToken, OperatorRoles.PlatformFinance, OperatorRoles.PlatformAdmin);
}
