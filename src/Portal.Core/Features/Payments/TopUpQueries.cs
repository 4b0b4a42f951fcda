using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments;

public sealed record TopUpView(Guid Id, string OrderNo, Money Amount, PaymentChannel Channel, TopUpStatus Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? PaidAt, string? QrCode, Money Refunded)
{
    public static TopUpView From(TopUpOrder o) => new(o.Id, o.OrderNo, o.Amount, o.Channel, o.Status, o.CreatedAt, o.ExpiresAt, o.PaidAt, o.QrCode, o.Refunded);
}

/// <summary>The current tenant's top-up orders. Another tenant's order is not found.</summary>
public sealed class TopUpQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TopUpSettlement settlement)
{
    public async Task<Result<IReadOnlyList<TopUpView>>> ListMineAsync(int take = 20, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var orders = await db.TopUpOrders.AsNoTracking().OrderByDescending(o => o.CreatedAt).Take(Math.Clamp(take, 1, 200)).ToListAsync(cancellationToken);
        return Result<IReadOnlyList<TopUpView>>.Success(orders.Select(TopUpView.From).ToList());
    }

    public async Task<Result<TopUpView>> GetMineAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var order = await db.TopUpOrders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        return order is null ? Error.NotFound("Order") : TopUpView.From(order);
    }

    public async Task<Result<TopUpView>> FindMineAsync(string orderNo, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var order = await db.TopUpOrders.AsNoTracking().FirstOrDefaultAsync(o => o.OrderNo == orderNo, cancellationToken);
        return order is null ? Error.NotFound("Order") : TopUpView.From(order);
    }

    /// <summary>
    /// For a page waiting on a payment whose notification is late: asks Alipay about one of the tenant's Pending
    /// orders (crediting it if paid) and returns the order afterwards.
    /// </summary>
    public async Task<Result<TopUpView>> RefreshMineAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        var mine = await GetMineAsync(orderId, cancellationToken);
        if (!mine.IsSuccess || mine.Value!.Status != TopUpStatus.Pending) return mine;
        await settlement.RefreshAsync(orderId, cancellationToken);
        return await GetMineAsync(orderId, cancellationToken);
    }
}
