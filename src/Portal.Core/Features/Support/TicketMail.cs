using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Notifications;

namespace Portal.Core.Features.Support;

/// <summary>Ticket emails both ways, in the caller's transaction: customers' messages to every PlatformAdmin, answers to the ticket's author.</summary>
public sealed class TicketMail(EmailOutbox outbox, EmailTemplates templates, IOptions<PortalOptions> portal)
{
    public async Task ToOperatorsAsync(PortalDbContext db, SupportTicket ticket, string tenantName, bool isNew, CancellationToken cancellationToken)
    {
        var admins = await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .Where(x => x.Name == OperatorRoles.PlatformAdmin)
            .Join(db.Users, x => x.UserId, u => u.Id, (x, u) => new { u.Email, u.Culture })
            .ToListAsync(cancellationToken);
        var link = portal.Value.Link($"/admin/support/{ticket.Id}");
        foreach (var admin in admins.Where(a => !string.IsNullOrEmpty(a.Email)))
        {
            var content = isNew
                ? templates.Notice(admin.Culture, "New {0} ticket from {1}", "{1} opened a {0} ticket: {2}. Open it at {3}", ticket.Priority.ToString(), tenantName, ticket.Subject, link)
                : templates.Notice(admin.Culture, "Reply on ticket: {0}", "{1} replied on the ticket \"{0}\". Open it at {2}", ticket.Subject, tenantName, link);
            outbox.Add(db, admin.Email!, content, "support.to_operators");
        }
    }

    public async Task ToCustomerAsync(PortalDbContext db, SupportTicket ticket, CancellationToken cancellationToken)
    {
        var author = await db.Users.Where(u => u.Id == ticket.CreatedByUserId).Select(u => new { u.Email, u.Culture }).FirstOrDefaultAsync(cancellationToken);
        if (author is null || string.IsNullOrEmpty(author.Email)) return;
        var content = templates.Notice(author.Culture, "Support answered your ticket: {0}", "Support answered your ticket \"{0}\". Read the answer at {1}",
            ticket.Subject, portal.Value.Link($"/support/{ticket.Id}"));
        outbox.Add(db, author.Email, content, "support.to_customer");
    }
}
