using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Support;

/// <summary>
/// An operator (PlatformAdmin or PlatformFinance) answers a ticket and sets its status: still Open, Waiting for the
/// customer, or Resolved. The first answer stops the first-response timer. The ticket's author is emailed; audited.
/// </summary>
public static class AnswerTicket
{
    public sealed record Command(Guid TicketId, string Body, TicketStatus Status);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, TicketMail mail, ICurrentUser currentUser, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<SupportTicket>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(command.Body) || command.Body.Length > 10_000)
                return Error.Validation(new Dictionary<string, string[]> { ["Body"] = ["Write a message of at most 10,000 characters."] });
            if (command.Status is not (TicketStatus.Open or TicketStatus.WaitingForCustomer or TicketStatus.Resolved))
                return Error.Validation(new Dictionary<string, string[]> { ["Status"] = ["Choose Open, Waiting for customer or Resolved."] });
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin, OperatorRoles.PlatformFinance);
            if (!actor.IsSuccess) return actor.Error!;
            using var platform = db.EnterPlatformScope();
            var ticket = await db.Set<SupportTicket>().IgnoreTenantFilter().FirstOrDefaultAsync(t => t.Id == command.TicketId, cancellationToken);
            if (ticket is null) return Error.NotFound("Ticket");
            if (ticket.Status == TicketStatus.Closed) return new Error("Support.TicketClosed", "This ticket is closed.");
            var now = clock.GetUtcNow();
            db.Add(new TicketMessage
            {
                Id = Ids.New(),
                TenantId = ticket.TenantId,
                TicketId = ticket.Id,
                FromOperator = true,
                AuthorUserId = actor.Value,
                AuthorName = currentUser.Name,
                Body = command.Body.Trim(),
                At = now,
            });
            ticket.FirstResponseAt ??= now;
            TicketTimers.Transition(ticket, command.Status, now);
            await mail.ToCustomerAsync(db, ticket, cancellationToken);
            audit.Add(db, "support.ticket_answered", nameof(SupportTicket), ticket.Id, LocalizedText.Encode("{0} → {1}", ticket.Subject, LocalizedText.Term(command.Status)), ticket.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            return ticket;
        }
    }
}
