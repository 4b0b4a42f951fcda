using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments.BankTransfer;

public sealed record BankTransferView(
    Guid Id, Guid TenantId, string RemittanceCode, Money Amount, BankTransferStatus Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    Money? ReceivedAmount, string? BankReference, DateTimeOffset? ClosedAt, string? RejectionReason)
{
    public static BankTransferView From(BankTransferOrder o) =>
        new(o.Id, o.TenantId, o.RemittanceCode, o.Amount, o.Status, o.CreatedAt, o.ExpiresAt, o.ReceivedAmount, o.BankReference, o.ClosedAt, o.RejectionReason);
}

/// <summary>A pending transfer in the finance queue, with the tenant's name.</summary>
public sealed record PendingBankTransfer(BankTransferView Transfer, string TenantName);

/// <summary>The receiving account shown to tenants.</summary>
public sealed record ReceivingAccount(string AccountName, string BankName, string Branch, string AccountNumber);

/// <summary>The current tenant's transfers, and the finance queue. Another tenant's transfer is not found.</summary>
public sealed class BankTransferQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, OperatorAccess operators, Microsoft.Extensions.Options.IOptionsMonitor<BankTransferOptions> options)
{
    public ReceivingAccount Account => new(options.CurrentValue.AccountName, options.CurrentValue.BankName, options.CurrentValue.Branch, options.CurrentValue.AccountNumber);

    public async Task<Result<IReadOnlyList<BankTransferView>>> ListMineAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var orders = await db.BankTransferOrders.AsNoTracking().OrderByDescending(o => o.CreatedAt).Take(Math.Clamp(take, 1, 200)).ToListAsync(cancellationToken);
        return Result<IReadOnlyList<BankTransferView>>.Success(orders.Select(BankTransferView.From).ToList());
    }

    public async Task<Result<BankTransferView>> GetMineAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var order = await db.BankTransferOrders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == transferId, cancellationToken);
        return order is null ? Error.NotFound("Transfer") : BankTransferView.From(order);
    }

    /// <summary>Pending transfers of all tenants, oldest first. PlatformFinance or PlatformAdmin.</summary>
    public async Task<Result<IReadOnlyList<PendingBankTransfer>>> ListPendingAsync(int take = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await operators.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var rows = await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking()
            .Where(o => o.Status == BankTransferStatus.Pending)
            .Join(db.Tenants, o => o.TenantId, t => t.Id, (o, t) => new { Order = o, t.Name })
            .OrderBy(r => r.Order.CreatedAt).Take(Math.Clamp(take, 1, 1000))
            .ToListAsync(cancellationToken);
        return Result<IReadOnlyList<PendingBankTransfer>>.Success(rows.Select(r => new PendingBankTransfer(BankTransferView.From(r.Order), r.Name)).ToList());
    }
}
