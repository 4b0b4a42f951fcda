using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments.BankTransfer;

internal sealed class BankTransferOrderConfiguration : IEntityTypeConfiguration<BankTransferOrder>
{
    public void Configure(EntityTypeBuilder<BankTransferOrder> b)
    {
        b.ToTable("bank_transfer_orders", t =>
        {
            t.HasCheckConstraint("ck_bank_transfer_orders_amount_positive", "amount_micro_yuan > 0");
            t.HasCheckConstraint("ck_bank_transfer_orders_received_positive", "received_amount_micro_yuan IS NULL OR received_amount_micro_yuan > 0");
        });
        b.Property(o => o.RemittanceCode).HasMaxLength(8).IsRequired();
        b.HasIndex(o => o.RemittanceCode).IsUnique();
        b.Property(o => o.BankReference).HasMaxLength(64);
        // NOTE: one bank line confirms at most one transfer (NULLs are distinct on both providers).
        b.HasIndex(o => o.BankReference).IsUnique();
        b.Property(o => o.DecidedBy).HasMaxLength(256);
        b.Property(o => o.RejectionReason).HasMaxLength(500);
        b.HasIndex(o => new { o.TenantId, o.CreatedAt });
        b.HasIndex(o => new { o.Status, o.CreatedAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(o => o.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
