using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Kyc;

internal sealed class KycSubmissionConfiguration : IEntityTypeConfiguration<KycSubmission>
{
    public void Configure(EntityTypeBuilder<KycSubmission> b)
    {
        b.Property(s => s.CompanyName).HasMaxLength(KycLimits.CompanyNameMaxLength);
        b.Property(s => s.CreditCode).HasMaxLength(UnifiedSocialCreditCode.Length);
        b.Property(s => s.LegalRepresentative).HasMaxLength(KycLimits.PersonNameMaxLength);
        b.Property(s => s.RegisteredAddress).HasMaxLength(KycLimits.RegisteredAddressMaxLength);
        b.Property(s => s.ContactName).HasMaxLength(KycLimits.PersonNameMaxLength);
        b.Property(s => s.ContactMobile).HasMaxLength(20);
        b.Property(s => s.RealName).HasMaxLength(KycLimits.PersonNameMaxLength);
        b.Ignore(s => s.IdNumber);
        b.Property(s => s.LegacyIdNumber).HasColumnName("id_number").HasMaxLength(ResidentIdNumber.Length);
        b.Property(s => s.IdNumberProtected).HasMaxLength(1024);
        b.Property(s => s.IdNumberHash).HasMaxLength(64);
        b.Property(s => s.DecidedBy).HasMaxLength(256);
        b.Property(s => s.RevokedBy).HasMaxLength(256);
        b.Property(s => s.RejectionReason).HasMaxLength(KycLimits.ReasonMaxLength);
        b.Property(s => s.RevocationReason).HasMaxLength(KycLimits.ReasonMaxLength);
        b.Ignore(s => s.DisplayName);
        b.Property(s => s.UpdatedAt).IsConcurrencyToken();

        // One company, one tenant: a credit code is Approved at most once across all tenants.
        b.HasIndex(s => s.CreditCode, "ux_kyc_submissions_approved_credit_code").IsUnique().HasFilter("status = 'Approved'");
        // One person, one tenant: a 身份证 number (by its keyed hash) is Approved at most once across all tenants.
        b.HasIndex(s => s.IdNumberHash, "ux_kyc_submissions_approved_id_number_hash").IsUnique().HasFilter("status = 'Approved'");
        // One open attempt per tenant (two concurrent submits cannot both create one), and one approval.
        b.HasIndex(s => s.TenantId, "ux_kyc_submissions_open_per_tenant").IsUnique().HasFilter("status IN ('Draft', 'Submitted')");
        b.HasIndex(s => s.TenantId, "ux_kyc_submissions_approved_per_tenant").IsUnique().HasFilter("status = 'Approved'");
        b.HasIndex(s => new { s.TenantId, s.CreatedAt });
        b.HasIndex(s => new { s.Status, s.SubmittedAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<KycDocument>().WithMany().HasForeignKey(s => s.LicenceDocumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<KycDocument>().WithMany().HasForeignKey(s => s.AuthorisationLetterDocumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<KycDocument>().WithMany().HasForeignKey(s => s.IdFrontDocumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<KycDocument>().WithMany().HasForeignKey(s => s.IdBackDocumentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class KycDocumentConfiguration : IEntityTypeConfiguration<KycDocument>
{
    public void Configure(EntityTypeBuilder<KycDocument> b)
    {
        b.Property(d => d.StorageKey).HasMaxLength(128).IsRequired();
        b.Property(d => d.OriginalName).HasMaxLength(255).IsRequired();
        b.Property(d => d.Sha256).HasMaxLength(64).IsRequired();
        b.HasIndex(d => d.StorageKey).IsUnique();
        b.HasIndex(d => d.TenantId);
        b.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
