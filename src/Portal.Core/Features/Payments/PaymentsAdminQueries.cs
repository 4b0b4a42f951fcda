using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.Core.Features.Payments;

/// <summary>Operator views of payments: the notification log and the reconciliation queue. Callers are operator pages.</summary>
public sealed class PaymentsAdminQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<(IReadOnlyList<AlipayNotifyLog> Items, int Total)> SearchNotificationsAsync(string? orderNo, PaymentNotifyOutcome? outcome, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AlipayNotifyLogs.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(orderNo)) query = query.Where(n => n.OutTradeNo == orderNo.Trim());
        if (outcome is { } o) query = query.Where(n => n.Outcome == o);
        var total = await query.CountAsync(cancellationToken);
        var size = Math.Clamp(pageSize, 1, 200);
        var items = await query.OrderByDescending(n => n.ReceivedAt).ThenByDescending(n => n.Id).Skip(Math.Max(0, page) * size).Take(size).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<(IReadOnlyList<WechatPayNotifyLog> Items, int Total)> SearchWechatNotificationsAsync(string? orderNo, PaymentNotifyOutcome? outcome, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.WechatPayNotifyLogs.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(orderNo)) query = query.Where(n => n.OutTradeNo == orderNo.Trim());
        if (outcome is { } o) query = query.Where(n => n.Outcome == o);
        var total = await query.CountAsync(cancellationToken);
        var size = Math.Clamp(pageSize, 1, 200);
        var items = await query.OrderByDescending(n => n.ReceivedAt).ThenByDescending(n => n.Id).Skip(Math.Max(0, page) * size).Take(size).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<IReadOnlyList<ReconciliationException>> ListReconciliationAsync(bool resolved, int take = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ReconciliationExceptions.AsNoTracking().Where(r => resolved ? r.ResolvedAt != null : r.ResolvedAt == null);
        return await query.OrderByDescending(r => r.BillDate).ThenBy(r => r.OutTradeNo).Take(Math.Clamp(take, 1, 1000)).ToListAsync(cancellationToken);
    }

    public async Task<int> CountOpenReconciliationAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ReconciliationExceptions.CountAsync(r => r.ResolvedAt == null, cancellationToken);
    }
}
