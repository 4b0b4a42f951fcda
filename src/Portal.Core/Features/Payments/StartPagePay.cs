using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments;

/// <summary>
/// The auto-submitting form that sends the buyer's browser to Alipay's PC cashier for a Pending AlipayPage order
/// of the current tenant. Rendered at request time so its timestamp is fresh.
/// </summary>
public static class StartPagePay
{
    public static readonly Error NotPayable = new("Payments.NotPayable", "This order can no longer be paid.");

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AlipayClient alipay, IOptions<PortalOptions> portal, TimeProvider clock)
    {
        public async Task<Result<string>> HandleAsync(Guid orderId, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
            if (!member.IsSuccess) return member.Error!;
            var order = await db.TopUpOrders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
            if (order is null || order.Channel != PaymentChannel.AlipayPage) return Error.NotFound("Order");
            if (order.Status != TopUpStatus.Pending || clock.GetUtcNow() >= order.ExpiresAt) return NotPayable;
            return alipay.PagePayForm(new AlipayPagePayRequest(
                order.OrderNo, order.AmountMicroYuan, order.Subject, CreateTopUp.NotifyUrl(portal.Value), CreateTopUp.ReturnUrl(portal.Value), order.ExpiresAt));
        }
    }
}
