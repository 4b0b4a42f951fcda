using Portal.Core.Localization;
namespace Portal.Core.Features.Notifications;

public enum OutboxStatus
{
    /// <summary>No SMTP server is configured: the message stays here for operators to read.</summary>
    Held,
    Pending,

    /// <summary>
    /// Claimed by one run of the sending job until <see cref="OutboxMessage.NextAttemptAt"/>; a message still here
    /// after that belongs to a run that died, and the next run sends it again.
    /// </summary>
    Sending,
    Sent,
    [EnumText("Sending failed")]
    Failed,
}

/// <summary>Every email the portal sends, written in the same transaction as the change that caused it.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    public string To { get; set; } = "";

    public string Subject { get; set; } = "";

    public string HtmlBody { get; set; } = "";

    public string TextBody { get; set; } = "";

    /// <summary>What the message is for: <c>ConfirmEmail</c>, <c>ResetPassword</c>, <c>Invitation</c>...</summary>
    public string Kind { get; set; } = "";

    public OutboxStatus Status { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>A file from the file store sent as an attachment (an issued invoice PDF), or null.</summary>
    public string? AttachmentFileKey { get; set; }

    /// <summary>The attachment's file name as the recipient sees it.</summary>
    public string? AttachmentName { get; set; }
}
