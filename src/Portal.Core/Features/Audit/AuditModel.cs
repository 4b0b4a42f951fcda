using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Audit;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.Property(a => a.Action).HasMaxLength(64).IsRequired();
        b.Property(a => a.Actor).HasMaxLength(256).IsRequired();
        b.Property(a => a.TargetType).HasMaxLength(64);
        b.Property(a => a.TargetId).HasMaxLength(64);
        b.Property(a => a.Summary).HasMaxLength(1000);
        b.Property(a => a.Ip).HasMaxLength(64);
        b.HasIndex(a => a.At);
        b.HasIndex(a => new { a.TenantId, a.At });
        b.HasIndex(a => new { a.Action, a.At });
    }
}
