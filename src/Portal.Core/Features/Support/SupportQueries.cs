using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Usage;

namespace Portal.Core.Features.Support;

public sealed record TicketRow(SupportTicket Ticket, string TenantName, TicketTimer FirstResponse, TicketTimer Resolution)
{
    /// <summary>Either timer is over its target while it still runs (or stopped over it).</summary>
    public bool Breached => FirstResponse.Breached || Resolution.Breached;
}

public sealed record TicketDetail(TicketRow Row, IReadOnlyList<TicketMessage> Messages, IReadOnlyList<TicketAttachment> Attachments);

public sealed record SupportBreaches(int OpenTickets, int FirstResponseBreaches, int ResolutionBreaches);

public sealed record TicketFile(Stream Content, DocumentType Type, string FileName);

/// <summary>Reads tickets: members see only their tenant's (any role, Viewers included); operator methods are behind the operator pages' policy.</summary>
public sealed class SupportQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IFileStore store, TimeProvider clock)
{
    /// <summary>Whether the caller may open and answer tickets: every member but a Viewer.</summary>
    public async Task<bool> CanWriteAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await access.RequireAsync(db, cancellationToken, TenantRole.Owner, TenantRole.Admin, TenantRole.Developer, TenantRole.Finance)).IsSuccess;
    }

    public async Task<Result<List<TicketRow>>> ListMineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var tickets = await db.Set<SupportTicket>().AsNoTracking().OrderByDescending(t => t.CreatedAt).Take(500).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return tickets.Select(t => Row(t, "", now)).ToList();
    }

    public async Task<Result<TicketDetail>> GetMineAsync(Guid ticketId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var ticket = await db.Set<SupportTicket>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
        if (ticket is null) return Error.NotFound("Ticket");
        return await DetailAsync(db, ticket, "", ignoreFilter: false, cancellationToken);
    }

    public async Task<TicketFile?> OpenMyAttachmentAsync(Guid ticketId, Guid attachmentId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!(await access.RequireMemberAsync(db, cancellationToken)).IsSuccess) return null;
        var attachment = await db.Set<TicketAttachment>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == attachmentId && a.TicketId == ticketId, cancellationToken);
        return await OpenAsync(attachment, cancellationToken);
    }

    /// <summary>Operators: tickets not closed (or all), oldest first, with their timers.</summary>
    public async Task<List<TicketRow>> ListQueueAsync(bool includeClosed, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<SupportTicket>().IgnoreTenantFilter().AsNoTracking();
        if (!includeClosed) query = query.Where(t => t.Status != TicketStatus.Closed);
        var tickets = await query.OrderBy(t => t.CreatedAt).Take(1000).ToListAsync(cancellationToken);
        var names = await TenantNamesAsync(db, tickets.Select(t => t.TenantId), cancellationToken);
        var now = clock.GetUtcNow();
        return tickets.Select(t => Row(t, names.GetValueOrDefault(t.TenantId, ""), now)).ToList();
    }

    public async Task<TicketDetail?> GetForOperatorAsync(Guid ticketId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ticket = await db.Set<SupportTicket>().IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
        if (ticket is null) return null;
        var names = await TenantNamesAsync(db, [ticket.TenantId], cancellationToken);
        return await DetailAsync(db, ticket, names.GetValueOrDefault(ticket.TenantId, ""), ignoreFilter: true, cancellationToken);
    }

    public async Task<TicketFile?> OpenAttachmentForOperatorAsync(Guid ticketId, Guid attachmentId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var attachment = await db.Set<TicketAttachment>().IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(a => a.Id == attachmentId && a.TicketId == ticketId, cancellationToken);
        return await OpenAsync(attachment, cancellationToken);
    }

    /// <summary>Operators' dashboard: tickets still running (Open or Waiting) and how many of them are over a target.</summary>
    public async Task<SupportBreaches> BreachesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var open = await db.Set<SupportTicket>().IgnoreTenantFilter().AsNoTracking()
            .Where(t => t.Status == TicketStatus.Open || t.Status == TicketStatus.WaitingForCustomer).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return new SupportBreaches(open.Count, open.Count(t => TicketTimers.FirstResponse(t, now).Breached), open.Count(t => TicketTimers.Resolution(t, now).Breached));
    }

    /// <summary>Operators: the usage record a customer's request id names, with its tenant (no prompt or completion is stored).</summary>
    public async Task<(UsageRecord Record, string TenantName)?> FindRequestAsync(string requestId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.UsageRecords.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(u => u.RequestId == requestId, cancellationToken);
        if (record is null) return null;
        var names = await TenantNamesAsync(db, [record.TenantId], cancellationToken);
        return (record, names.GetValueOrDefault(record.TenantId, ""));
    }

    private async Task<TicketDetail> DetailAsync(PortalDbContext db, SupportTicket ticket, string tenantName, bool ignoreFilter, CancellationToken cancellationToken)
    {
        var messages = ignoreFilter ? db.Set<TicketMessage>().IgnoreTenantFilter() : db.Set<TicketMessage>();
        var attachments = ignoreFilter ? db.Set<TicketAttachment>().IgnoreTenantFilter() : db.Set<TicketAttachment>();
        return new TicketDetail(Row(ticket, tenantName, clock.GetUtcNow()),
            await messages.AsNoTracking().Where(m => m.TicketId == ticket.Id).OrderBy(m => m.At).ToListAsync(cancellationToken),
            await attachments.AsNoTracking().Where(a => a.TicketId == ticket.Id).OrderBy(a => a.UploadedAt).ToListAsync(cancellationToken));
    }

    private async Task<TicketFile?> OpenAsync(TicketAttachment? attachment, CancellationToken cancellationToken)
    {
        if (attachment is null) return null;
        var stream = await store.OpenReadAsync(attachment.StorageKey, cancellationToken);
        return stream is null ? null : new TicketFile(stream, attachment.Type, attachment.FileName);
    }

    private static Task<Dictionary<Guid, string>> TenantNamesAsync(PortalDbContext db, IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var list = ids.Distinct().ToList();
        return db.Tenants.AsNoTracking().Where(t => list.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
    }

    private static TicketRow Row(SupportTicket t, string tenantName, DateTimeOffset now) =>
        new(t, tenantName, TicketTimers.FirstResponse(t, now), TicketTimers.Resolution(t, now));
}
