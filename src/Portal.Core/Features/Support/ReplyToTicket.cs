using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Support;

/// <summary>
/// The customer adds a message (and files) to its own ticket; a ticket waiting for the customer or resolved opens
/// again. Another tenant's ticket is not found. Operators are emailed; audited.
/// </summary>
public static class ReplyToTicket
{
    public sealed record Command(Guid TicketId, string Body, IReadOnlyList<TicketFileInput> Files);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IFileStore store, TicketMail mail, ICurrentUser currentUser, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<SupportTicket>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(command.Body) || command.Body.Length > 10_000)
                return Error.Validation(new Dictionary<string, string[]> { ["Body"] = ["Write a message of at most 10,000 characters."] });
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner, TenantRole.Admin, TenantRole.Developer, TenantRole.Finance);
            if (!member.IsSuccess) return member.Error!;
            // The tenant filter makes another tenant's ticket invisible: not found, as if it did not exist.
            var ticket = await db.Set<SupportTicket>().FirstOrDefaultAsync(t => t.Id == command.TicketId, cancellationToken);
            if (ticket is null) return Error.NotFound("Ticket");
            if (ticket.Status == TicketStatus.Closed) return new Error("Support.TicketClosed", "This ticket is closed; open a new one.");
            var now = clock.GetUtcNow();
            var message = new TicketMessage
            {
                Id = Ids.New(),
                TenantId = ticket.TenantId,
                TicketId = ticket.Id,
                AuthorUserId = member.Value!.UserId,
                AuthorName = currentUser.Name,
                Body = command.Body.Trim(),
                At = now,
            };
            db.Add(message);
            var (stored, error) = await TicketFiles.StoreAsync(db, store, ticket, message.Id, command.Files, now, cancellationToken);
            if (error is not null) return error;
            TicketTimers.Transition(ticket, TicketStatus.Open, now);
            var tenantName = await db.Tenants.Where(t => t.Id == ticket.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
            await mail.ToOperatorsAsync(db, ticket, tenantName, isNew: false, cancellationToken);
            audit.Add(db, "support.ticket_replied", nameof(SupportTicket), ticket.Id, LocalizedText.Encode("{0}", ticket.Subject), ticket.TenantId);
            await TicketFiles.SaveAsync(db, store, stored, cancellationToken);

            return ticket;
        }
    }
}
