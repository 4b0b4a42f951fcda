using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.DataRights;

internal sealed class TenantDataExportConfiguration : IEntityTypeConfiguration<TenantDataExport>
{
    public void Configure(EntityTypeBuilder<TenantDataExport> b)
    {
        b.ToTable("tenant_data_exports");
        b.HasKey(e => e.Id);
        b.Property(e => e.FileKey).HasMaxLength(200);
        b.Property(e => e.Sha256).HasMaxLength(64);
        b.Property(e => e.Failure).HasMaxLength(500);
        b.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => new { e.TenantId, e.RequestedAt });
        b.HasIndex(e => new { e.Status, e.ExpiresAt });
    }
}

internal sealed class AccountClosureConfiguration : IEntityTypeConfiguration<AccountClosure>
{
    public void Configure(EntityTypeBuilder<AccountClosure> b)
    {
        b.ToTable("account_closures", t => t.HasCheckConstraint("ck_account_closures_refund_non_negative", "refund_micro_yuan >= 0"));
        b.HasKey(c => c.Id);
        b.Property(c => c.TenantName).HasMaxLength(200);
        b.Property(c => c.DeletedSummary).HasMaxLength(2000);
        b.Property(c => c.VerificationCode).HasMaxLength(22);
        b.Property(c => c.CertificateFileKey).HasMaxLength(200);
        b.Property(c => c.CertificateSha256).HasMaxLength(64);
        b.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        // A tenant closes once: two closures racing meet this index and the second fails whole.
        b.HasIndex(c => c.TenantId).IsUnique();
        b.HasIndex(c => c.VerificationCode).IsUnique();
    }
}
