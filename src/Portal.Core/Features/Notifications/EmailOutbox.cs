using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Notifications;

/// <summary>The one way the portal sends mail: a row in the outbox, committed with the change that caused it.</summary>
public sealed class EmailOutbox(IOptions<SmtpOptions> smtp, TimeProvider clock)
{
    /// <summary>Queues a message; <paramref name="attachment"/> names a stored file (key, file name shown to the recipient) to attach.</summary>
    public OutboxMessage Add(PortalDbContext db, string to, EmailContent content, string kind, (string FileKey, string Name)? attachment = null)
    {
        var now = clock.GetUtcNow();
        var message = new OutboxMessage
        {
            Id = Ids.New(),
            To = to,
            Subject = content.Subject,
            HtmlBody = content.Html,
            TextBody = content.Text,
            Kind = kind,
            Status = smtp.Value.IsConfigured ? OutboxStatus.Pending : OutboxStatus.Held,
            CreatedAt = now,
            NextAttemptAt = now,
            AttachmentFileKey = attachment?.FileKey,
            AttachmentName = attachment?.Name,
        };
        db.OutboxMessages.Add(message);
        return message;
    }
}

/// <summary>A rendered message.</summary>
public sealed record EmailContent(string Subject, string Html, string Text);
