using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments.Refunds;

internal sealed class RefundRequestConfiguration : IEntityTypeConfiguration<RefundRequest>
{
    public void Configure(EntityTypeBuilder<RefundRequest> b)
    {
        b.ToTable("refund_requests", t =>
        {
            t.HasCheckConstraint("ck_refund_requests_amount_positive", "amount_micro_yuan > 0");
            t.HasCheckConstraint("ck_refund_requests_held_within_amount", "held_micro_yuan >= 0 AND held_micro_yuan <= amount_micro_yuan");
        });
        b.Property(r => r.RefundNo).HasMaxLength(32).IsRequired();
        b.HasIndex(r => r.RefundNo).IsUnique();
        b.Property(r => r.Reason).HasMaxLength(500);
        b.Property(r => r.RequestedBy).HasMaxLength(256).IsRequired();
        b.Property(r => r.DecidedBy).HasMaxLength(256);
        b.Property(r => r.RejectionReason).HasMaxLength(500);
        b.HasIndex(r => new { r.TenantId, r.RequestedAt });
        b.HasIndex(r => new { r.Status, r.RequestedAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RefundAllocationConfiguration : IEntityTypeConfiguration<RefundAllocation>
{
    public void Configure(EntityTypeBuilder<RefundAllocation> b)
    {
        b.ToTable("refund_allocations", t => t.HasCheckConstraint("ck_refund_allocations_amount_positive", "amount_micro_yuan > 0"));
        b.Property(a => a.OutRequestNo).HasMaxLength(64).IsRequired();
        // NOTE: Alipay's idempotency key; unique here as well, so two parts can never share one.
        b.HasIndex(a => a.OutRequestNo).IsUnique();
        b.HasIndex(a => new { a.RefundRequestId, a.Position }).IsUnique();
        b.Property(a => a.LastError).HasMaxLength(500);
        b.Property(a => a.BankReference).HasMaxLength(64);
        b.Property(a => a.CompletedBy).HasMaxLength(256);
        b.HasIndex(a => new { a.Status, a.NextAttemptAt });
        b.HasIndex(a => a.TopUpOrderId);
        b.HasIndex(a => a.BankTransferOrderId);
        b.HasOne<RefundRequest>().WithMany().HasForeignKey(a => a.RefundRequestId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<TopUpOrder>().WithMany().HasForeignKey(a => a.TopUpOrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<BankTransferOrder>().WithMany().HasForeignKey(a => a.BankTransferOrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
