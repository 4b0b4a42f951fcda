using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>One part of a refund as people see it. <see cref="Source"/> names the top-up order or transfer code it goes back against.</summary>
public sealed record RefundAllocationView(
    Guid Id, int Position, RefundAllocationKind Kind, Money Amount, RefundAllocationStatus Status, string OutRequestNo, string? Source,
    string? Payee, int Attempts, string? LastError, DateTimeOffset? NextAttemptAt, string? BankReference, DateTimeOffset? CompletedAt)
{
    /// <summary>Finance may record a bank payment for it.</summary>
    public bool BankPayable => RefundPayouts.BankPayable(Kind, Status);
}

public sealed record RefundView(
    Guid Id, Guid TenantId, string RefundNo, Money Amount, Money Held, RefundStatus Status, string? Reason, string RequestedBy, DateTimeOffset RequestedAt,
    string? DecidedBy, DateTimeOffset? DecidedAt, string? RejectionReason, DateTimeOffset? CompletedAt, IReadOnlyList<RefundAllocationView> Allocations)
{
    public static RefundView From(RefundRequest r, IReadOnlyList<RefundAllocationView> allocations) =>
        new(r.Id, r.TenantId, r.RefundNo, r.Amount, r.Held, r.Status, r.Reason, r.RequestedBy, r.RequestedAt, r.DecidedBy, r.DecidedAt, r.RejectionReason, r.CompletedAt, allocations);

    /// <summary>Paid out so far.</summary>
    public Money Paid => Allocations.Where(a => a.Status == RefundAllocationStatus.Succeeded).Aggregate(Money.Zero, (sum, a) => sum + a.Amount);
}

/// <summary>
/// What a tenant could have refunded now: cash that is not held (credit line and plan credit never count), and never
/// money already invoiced (<see cref="InvoiceableBreakdown.RefundLimit"/>).
/// </summary>
/// <param name="Balance">The wallet's cash balance.</param>
/// <param name="Reserved">Held by requests in flight and refunds in progress.</param>
/// <param name="Refundable">What may be requested now (whole fen are what can be paid).</param>
/// <param name="Invoiced">Invoices issued or requested: money that comes back only once its invoice is voided.</param>
/// <param name="LimitedByInvoices">True when invoices, not the cash, set <see cref="Refundable"/>.</param>
public sealed record RefundableBalance(Money Balance, Money Reserved, Money Refundable, Money Invoiced, bool LimitedByInvoices)
{
    public static readonly RefundableBalance None = new(Money.Zero, Money.Zero, Money.Zero, Money.Zero, false);

    /// <summary>Reads the figures; inside a transaction after <see cref="InvoiceableBreakdown.LockAsync"/> they hold until commit.</summary>
    public static async Task<RefundableBalance> ComputeAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().Where(w => w.TenantId == tenantId)
            .Select(w => new { w.BalanceMicroYuan, w.ReservedMicroYuan }).FirstOrDefaultAsync(cancellationToken);
        if (wallet is null) return None;
        var cash = RefundHolds.Refundable(wallet.BalanceMicroYuan, wallet.ReservedMicroYuan);
        var invoices = await InvoiceableBreakdown.ComputeAsync(db, tenantId, cancellationToken);
        var limited = invoices.RefundLimit is { } limit && limit < cash;
        return new RefundableBalance(new Money(wallet.BalanceMicroYuan), new Money(wallet.ReservedMicroYuan),
            limited ? invoices.RefundLimit!.Value : cash, invoices.Issued + invoices.Pending, limited);
    }
}

/// <summary>A refund in the finance queue, with the tenant's name and wallet.</summary>
public sealed record RefundQueueItem(RefundView Refund, string TenantName, Money Balance, Money Reserved);

/// <summary>The current tenant's refunds, and the finance queue. Another tenant's refund is not found.</summary>
public sealed class RefundQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, OperatorAccess operators)
{
    public async Task<Result<RefundableBalance>> RefundableAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        return await RefundableBalance.ComputeAsync(db, member.Value!.TenantId, cancellationToken);
    }

    public async Task<Result<IReadOnlyList<RefundView>>> ListMineAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var refunds = await db.RefundRequests.AsNoTracking().OrderByDescending(r => r.RequestedAt).Take(Math.Clamp(take, 1, 200)).ToListAsync(cancellationToken);
        return Result<IReadOnlyList<RefundView>>.Success(await ViewsAsync(db, refunds, cancellationToken));
    }

    public async Task<Result<RefundView>> GetMineAsync(Guid refundId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var refund = await db.RefundRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken);
        return refund is null ? Error.NotFound("Refund") : (await ViewsAsync(db, [refund], cancellationToken))[0];
    }

    /// <summary>Any tenant's refund. PlatformFinance or PlatformAdmin.</summary>
    public async Task<Result<RefundView>> GetAsync(Guid refundId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await operators.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var refund = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken);
        return refund is null ? Error.NotFound("Refund") : (await ViewsAsync(db, [refund], cancellationToken))[0];
    }

    /// <summary>
    /// The finance queue, oldest first: open refunds (Requested, or Approved with parts still to pay), or with
    /// <paramref name="open"/> false the most recently requested closed ones. PlatformFinance or PlatformAdmin.
    /// </summary>
    public async Task<Result<IReadOnlyList<RefundQueueItem>>> ListQueueAsync(bool open = true, int take = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await operators.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var query = db.RefundRequests.IgnoreTenantFilter().AsNoTracking();
        query = open
            ? query.Where(r => r.Status == RefundStatus.Requested || r.Status == RefundStatus.Approved).OrderBy(r => r.RequestedAt)
            : query.Where(r => r.Status != RefundStatus.Requested && r.Status != RefundStatus.Approved).OrderByDescending(r => r.RequestedAt);
        var refunds = await query.Take(Math.Clamp(take, 1, 1000)).ToListAsync(cancellationToken);
        var tenantIds = refunds.Select(r => r.TenantId).Distinct().ToList();
        var tenants = await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        var wallets = await db.Wallets.IgnoreTenantFilter().AsNoTracking().Where(w => tenantIds.Contains(w.TenantId))
            .ToDictionaryAsync(w => w.TenantId, cancellationToken);
        var views = await ViewsAsync(db, refunds, cancellationToken);
        return Result<IReadOnlyList<RefundQueueItem>>.Success(views.Select(v => new RefundQueueItem(v, tenants.GetValueOrDefault(v.TenantId, ""),
            wallets.TryGetValue(v.TenantId, out var w) ? w.Balance : Money.Zero, wallets.TryGetValue(v.TenantId, out var w2) ? w2.Reserved : Money.Zero)).ToList());
    }

    private static async Task<IReadOnlyList<RefundView>> ViewsAsync(PortalDbContext db, IReadOnlyList<RefundRequest> refunds, CancellationToken cancellationToken)
    {
        var ids = refunds.Select(r => r.Id).ToList();
        var parts = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking().Where(a => ids.Contains(a.RefundRequestId))
            .Select(a => new
            {
                Part = a,
                OrderNo = db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == a.TopUpOrderId).Select(o => o.OrderNo).FirstOrDefault(),
                Code = db.BankTransferOrders.IgnoreTenantFilter().Where(o => o.Id == a.BankTransferOrderId).Select(o => o.RemittanceCode).FirstOrDefault(),
                Payee = db.BankStatementLines.Where(l => l.TransferId == a.BankTransferOrderId).Select(l => l.CounterpartyName + " " + l.CounterpartyAccount).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var byRefund = parts.GroupBy(p => p.Part.RefundRequestId).ToDictionary(g => g.Key, g => g.OrderBy(p => p.Part.Position).Select(p => new RefundAllocationView(
            p.Part.Id, p.Part.Position, p.Part.Kind, p.Part.Amount, p.Part.Status, p.Part.OutRequestNo,
            p.OrderNo ?? (p.Code is null ? null : BankTransfer.RemittanceCodes.Display(p.Code)), p.Payee,
            p.Part.Attempts, p.Part.LastError, p.Part.NextAttemptAt, p.Part.BankReference, p.Part.CompletedAt)).ToList());
        return refunds.Select(r => RefundView.From(r, byRefund.TryGetValue(r.Id, out var list) ? list : [])).ToList();
    }
}
