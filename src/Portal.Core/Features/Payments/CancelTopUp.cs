using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments;

/// <summary>
/// A tenant abandons a Pending top-up. The trade is closed at Alipay first, so it cannot be paid afterwards; if it
/// was paid meanwhile, it is credited instead and the order reads Paid.
/// </summary>
public static class CancelTopUp
{
    public sealed record Command(Guid OrderId);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TopUpSettlement settlement, AuditLog audit)
    {
        public async Task<Result<TopUpStatus>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
            if (!member.IsSuccess) return member.Error!;
            var order = await db.TopUpOrders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == command.OrderId, cancellationToken);
            if (order is null) return Error.NotFound("Order");
            if (order.Status != TopUpStatus.Pending) return order.Status;

            var status = await settlement.CloseAsync(order, TopUpStatus.Cancelled, cancellationToken) ?? order.Status;
            if (status == TopUpStatus.Cancelled)
            {
                audit.Add(db, "payments.top_up_cancelled", nameof(TopUpOrder), order.Id, LocalizedText.Encode("{0}", order.OrderNo), order.TenantId);
                await db.SaveChangesAsync(cancellationToken);
            }

            return status;
        }
    }
}
