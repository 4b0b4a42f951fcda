using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Notifications;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.Property(m => m.To).HasMaxLength(256).IsRequired();
        b.Property(m => m.Subject).HasMaxLength(300).IsRequired();
        b.Property(m => m.HtmlBody).HasMaxLength(100_000);
        b.Property(m => m.TextBody).HasMaxLength(100_000);
        b.Property(m => m.Kind).HasMaxLength(64);
        b.Property(m => m.LastError).HasMaxLength(2000);
        b.Property(m => m.AttachmentFileKey).HasMaxLength(64);
        b.Property(m => m.AttachmentName).HasMaxLength(200);
        b.HasIndex(m => m.CreatedAt);
        b.HasIndex(m => new { m.Status, m.NextAttemptAt });
    }
}
