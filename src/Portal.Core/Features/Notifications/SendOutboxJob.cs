using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Core.Common.Storage;
using Portal.Core.Data;

namespace Portal.Core.Features.Notifications;

/// <summary>
/// Sends pending outbox messages through SMTP, retrying with exponential backoff. Safe to run twice:
/// a message is claimed with a conditional update before it is sent.
/// </summary>
public sealed class SendOutboxJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<SmtpOptions> options,
    IFileStore files,
    TimeProvider clock,
    ILogger<SendOutboxJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        if (!smtp.IsConfigured) return;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var due = await db.OutboxMessages
            .Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.CreatedAt)
            .Take(50)
            .Select(m => m.Id)
            .ToListAsync(cancellationToken);
        if (due.Count == 0) return;

        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);

        foreach (var id in due)
        {
            // NOTE: claim by bumping Attempts only if nobody else did since we read it; a second runner skips it.
            var message = await db.OutboxMessages.AsNoTracking().FirstAsync(m => m.Id == id, cancellationToken);
            var claimed = await db.OutboxMessages
                .Where(m => m.Id == id && m.Status == OutboxStatus.Pending && m.Attempts == message.Attempts)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, m => m.Attempts + 1), cancellationToken);
            if (claimed == 0) continue;

            try
            {
                var mime = new MimeMessage();
                mime.From.Add(new MailboxAddress(smtp.FromName, smtp.FromAddress));
                mime.To.Add(MailboxAddress.Parse(message.To));
                mime.Subject = message.Subject;
                var body = new BodyBuilder { HtmlBody = message.HtmlBody, TextBody = message.TextBody };
                if (message.AttachmentFileKey is { } key)
                {
                    await using var content = await files.OpenReadAsync(key, cancellationToken)
                        ?? throw new FileNotFoundException($"The attachment {key} of outbox message {id} is missing from the file store.");
                    using var buffer = new MemoryStream();
                    await content.CopyToAsync(buffer, cancellationToken);
                    await body.Attachments.AddAsync(message.AttachmentName ?? key, new MemoryStream(buffer.ToArray()), cancellationToken);
                }

                mime.Body = body.ToMessageBody();
                await client.SendAsync(mime, cancellationToken);
                await db.OutboxMessages.Where(m => m.Id == id).ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.SentAt, clock.GetUtcNow()).SetProperty(m => m.LastError, (string?)null),
                    cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Sending outbox message {MessageId} failed", id);
                var attempts = message.Attempts + 1;
                var failed = attempts >= smtp.MaxAttempts;
                var next = clock.GetUtcNow().Add(TimeSpan.FromMinutes(1 << Math.Min(attempts, 12)));
                var error = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
                await db.OutboxMessages.Where(m => m.Id == id).ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Status, failed ? OutboxStatus.Failed : OutboxStatus.Pending)
                        .SetProperty(m => m.NextAttemptAt, next)
                        .SetProperty(m => m.LastError, error),
                    cancellationToken);
            }
        }

        await client.DisconnectAsync(true, cancellationToken);
    }
}
