using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Invoices;

internal sealed class InvoiceProfileConfiguration : IEntityTypeConfiguration<InvoiceProfile>
{
    public void Configure(EntityTypeBuilder<InvoiceProfile> b)
    {
        b.ToTable("invoice_profiles");
        b.HasIndex(p => p.TenantId).IsUnique();
        b.Property(p => p.Title).HasMaxLength(200).IsRequired();
        b.Property(p => p.TaxpayerId).HasMaxLength(20).IsRequired();
        b.Property(p => p.Address).HasMaxLength(200).IsRequired();
        b.Property(p => p.Phone).HasMaxLength(40).IsRequired();
        b.Property(p => p.BankName).HasMaxLength(100).IsRequired();
        b.Property(p => p.BankAccount).HasMaxLength(40).IsRequired();
        b.Property(p => p.Email).HasMaxLength(256).IsRequired();
        b.Property(p => p.UpdatedBy).HasMaxLength(256).IsRequired();
        b.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> b)
    {
        b.ToTable("invoices", t =>
        {
            t.HasCheckConstraint("ck_invoices_amount_positive", "amount_micro_yuan > 0");
            t.HasCheckConstraint("ck_invoices_split", "net_micro_yuan >= 0 AND tax_micro_yuan >= 0 AND net_micro_yuan + tax_micro_yuan = amount_micro_yuan");
            t.HasCheckConstraint("ck_invoices_whole_fen", "amount_micro_yuan % 10000 = 0 AND net_micro_yuan % 10000 = 0");
        });
        b.Property(i => i.Number).HasMaxLength(20);
        // NOTE: NULLs are distinct on both providers, so Pending invoices without a number do not collide.
        b.HasIndex(i => i.Number).IsUnique();
        b.Property(i => i.VerificationCode).HasMaxLength(32);
        b.HasIndex(i => i.VerificationCode).IsUnique();
        b.Property(i => i.ItemName).HasMaxLength(100).IsRequired();
        b.Property(i => i.BuyerTitle).HasMaxLength(200).IsRequired();
        b.Property(i => i.BuyerTaxpayerId).HasMaxLength(20).IsRequired();
        b.Property(i => i.BuyerAddress).HasMaxLength(200).IsRequired();
        b.Property(i => i.BuyerPhone).HasMaxLength(40).IsRequired();
        b.Property(i => i.BuyerBankName).HasMaxLength(100).IsRequired();
        b.Property(i => i.BuyerBankAccount).HasMaxLength(40).IsRequired();
        b.Property(i => i.RecipientEmail).HasMaxLength(256).IsRequired();
        b.Property(i => i.Remarks).HasMaxLength(200);
        b.Property(i => i.RequestedBy).HasMaxLength(256).IsRequired();
        b.Property(i => i.SellerName).HasMaxLength(200);
        b.Property(i => i.SellerTaxpayerId).HasMaxLength(20);
        b.Property(i => i.SellerAddressPhone).HasMaxLength(250);
        b.Property(i => i.SellerBankAccount).HasMaxLength(150);
        b.Property(i => i.IssuedBy).HasMaxLength(256);
        b.Property(i => i.Issuer).HasMaxLength(32);
        b.Property(i => i.PdfFileKey).HasMaxLength(64);
        b.Property(i => i.VoidPdfFileKey).HasMaxLength(64);
        b.Property(i => i.RejectionReason).HasMaxLength(500);
        b.Property(i => i.VoidReason).HasMaxLength(500);
        b.Property(i => i.ClosedBy).HasMaxLength(256);
        b.HasIndex(i => new { i.TenantId, i.RequestedAt });
        b.HasIndex(i => new { i.Status, i.RequestedAt });
        b.HasIndex(i => i.IssuedAt);
        b.HasOne<Tenant>().WithMany().HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InvoiceNumberCounterConfiguration : IEntityTypeConfiguration<InvoiceNumberCounter>
{
    public void Configure(EntityTypeBuilder<InvoiceNumberCounter> b)
    {
        b.ToTable("invoice_number_counters", t => t.HasCheckConstraint("ck_invoice_number_counters_non_negative", "last_number >= 0"));
        b.HasKey(c => c.Year);
        b.Property(c => c.Year).ValueGeneratedNever();
    }
}

internal sealed class MonthlyStatementConfiguration : IEntityTypeConfiguration<MonthlyStatement>
{
    public void Configure(EntityTypeBuilder<MonthlyStatement> b)
    {
        b.ToTable("monthly_statements", t => t.HasCheckConstraint("ck_monthly_statements_month", "month BETWEEN 1 AND 12"));
        b.HasIndex(s => new { s.TenantId, s.Year, s.Month }).IsUnique();
        b.Property(s => s.PdfFileKey).HasMaxLength(64).IsRequired();
        b.Property(s => s.CsvFileKey).HasMaxLength(64).IsRequired();
        b.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
