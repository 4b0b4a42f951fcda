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
/// Sends pending outbox messages through SMTP, retrying with exponential backoff. Safe to run twice, and
/// concurrently: a message is claimed with one conditional update (Pending → Sending, with a lease) before it is sent.
/// </summary>
public sealed class SendOutboxJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<SmtpOptions> options,
    IFileStore files,
    TimeProvider clock,
    ILogger<SendOutboxJob> logger)
{
    /// <summary>
    /// How long a claim lasts. A run that dies mid-send leaves its message Sending; once the lease has passed the
    /// next run sends it again (at least once, never twice while the claiming run is alive).
    /// </summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        if (!smtp.IsConfigured) return;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        // A claim that outlived its lease after its last attempt belongs to a dead run: give up on it.
        await db.OutboxMessages
            .Where(m => m.Status == OutboxStatus.Sending && m.NextAttemptAt <= now && m.Attempts >= smtp.MaxAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Failed).SetProperty(m => m.LastError, "Interrupted while sending."), cancellationToken);
        var due = await db.OutboxMessages
            .Where(m => (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Sending) && m.NextAttemptAt <= now)
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
            // NOTE: the claim is one conditional UPDATE: it moves the message to Sending and its next attempt past
            // the lease, so the condition (due now) is false for every other run until the lease ends.
            var claimedAt = clock.GetUtcNow();
            var leaseEnd = claimedAt.Add(ClaimLease);
            var claimed = await db.OutboxMessages
                .Where(m => m.Id == id && (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Sending)
                    && m.NextAttemptAt <= claimedAt && m.Attempts < smtp.MaxAttempts)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Sending)
                    .SetProperty(m => m.NextAttemptAt, leaseEnd)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1), cancellationToken);
            if (claimed == 0) continue;

            var message = await db.OutboxMessages.AsNoTracking().FirstAsync(m => m.Id == id, cancellationToken);

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
                await db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxStatus.Sending).ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.SentAt, clock.GetUtcNow()).SetProperty(m => m.LastError, (string?)null),
                    cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Sending outbox message {MessageId} failed", id);
                var attempts = message.Attempts;
                var failed = attempts >= smtp.MaxAttempts;
                var next = clock.GetUtcNow().Add(TimeSpan.FromMinutes(1 << Math.Min(attempts, 12)));
                var error = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
                await db.OutboxMessages.Where(m => m.Id == id && m.Status == OutboxStatus.Sending).ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Status, failed ? OutboxStatus.Failed : OutboxStatus.Pending)
                        .SetProperty(m => m.NextAttemptAt, next)
                        .SetProperty(m => m.LastError, error),
                    cancellationToken);
            }
        }

        await client.DisconnectAsync(true, cancellationToken);
    }
}
