using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Support;

public enum TicketCategory
{
    Billing,
    Invoice,
    [EnumText("API error")]
    ApiError,
    Verification,
    Other,
}

public enum TicketPriority
{
    P1,
    P2,
    P3,
    P4,
}

public enum TicketStatus
{
    Open,
    [EnumText("Waiting for customer")]
    WaitingForCustomer,
    Resolved,
    Closed,
}

/// <summary>
/// A support ticket (工单) of one tenant. Open → WaitingForCustomer (operator asked something) → Resolved → Closed (by
/// the job 7 days after Resolved); a customer's reply re-opens a waiting or resolved ticket. Time spent waiting for
/// the customer does not count against the resolution target (<see cref="PausedTicks"/>).
/// </summary>
public sealed class SupportTicket : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Subject { get; set; } = "";

    public TicketCategory Category { get; set; }

    public TicketPriority Priority { get; set; }

    public TicketStatus Status { get; set; }

    /// <summary>Relay request ids (<c>req_…</c>) the customer refers to, separated by commas.</summary>
    public string RequestIds { get; set; } = "";

    public Guid CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The first operator answer.</summary>
    public DateTimeOffset? FirstResponseAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Since when the ticket waits for the customer (null unless <see cref="TicketStatus.WaitingForCustomer"/>).</summary>
    public DateTimeOffset? WaitingSince { get; set; }

    /// <summary>Total time spent waiting for the customer before the current wait.</summary>
    public long PausedTicks { get; set; }

    public IReadOnlyList<string> RequestIdList => RequestIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>One message of a ticket's thread, from the customer or from an operator. Append-only.</summary>
public sealed class TicketMessage : ITenantOwned, IAppendOnly
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid TicketId { get; set; }

    public bool FromOperator { get; set; }

    public Guid AuthorUserId { get; set; }

    public string AuthorName { get; set; } = "";

    public string Body { get; set; } = "";

    public DateTimeOffset At { get; set; }
}

/// <summary>A file attached to a message, stored through the file store and typed by content like KYC documents.</summary>
public sealed class TicketAttachment : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid TicketId { get; set; }

    public Guid MessageId { get; set; }

    public DocumentType Type { get; set; }

    public string StorageKey { get; set; } = "";

    public string FileName { get; set; } = "";

    public long Length { get; set; }

    public DateTimeOffset UploadedAt { get; set; }
}

internal sealed class SupportTicketConfiguration : IEntityTypeConfiguration<SupportTicket>
{
    public void Configure(EntityTypeBuilder<SupportTicket> b)
    {
        b.ToTable("support_tickets", t => t.HasCheckConstraint("ck_support_tickets_paused", "paused_ticks >= 0"));
        b.Property(t => t.Subject).HasMaxLength(200);
        b.Property(t => t.RequestIds).HasMaxLength(1000);
        b.HasIndex(t => new { t.TenantId, t.CreatedAt });
        // The operators' queue: tickets not closed, oldest first.
        b.HasIndex(t => new { t.Status, t.CreatedAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TicketMessageConfiguration : IEntityTypeConfiguration<TicketMessage>
{
    public void Configure(EntityTypeBuilder<TicketMessage> b)
    {
        b.ToTable("support_ticket_messages");
        b.Property(m => m.Body).HasMaxLength(10_000);
        b.Property(m => m.AuthorName).HasMaxLength(256);
        b.HasIndex(m => new { m.TicketId, m.At });
        b.HasOne<SupportTicket>().WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketAttachmentConfiguration : IEntityTypeConfiguration<TicketAttachment>
{
    public void Configure(EntityTypeBuilder<TicketAttachment> b)
    {
        b.ToTable("support_ticket_attachments");
        b.Property(a => a.StorageKey).HasMaxLength(200);
        b.Property(a => a.FileName).HasMaxLength(255);
        b.HasIndex(a => a.TicketId);
        b.HasOne<SupportTicket>().WithMany().HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
