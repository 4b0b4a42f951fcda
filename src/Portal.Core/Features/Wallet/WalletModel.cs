using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Wallet;

internal sealed class WalletConfiguration : IEntityTypeConfiguration<Wallet>
{
    public void Configure(EntityTypeBuilder<Wallet> b)
    {
        b.ToTable("wallets", t =>
        {
            // The database refuses what must never happen, whatever the code does.
            t.HasCheckConstraint("ck_wallets_reserved_non_negative", "reserved_micro_yuan >= 0");
            t.HasCheckConstraint("ck_wallets_credit_limit_non_negative", "credit_limit_micro_yuan >= 0");
            t.HasCheckConstraint("ck_wallets_plan_credit_non_negative", "plan_credit_micro_yuan >= 0");
            t.HasCheckConstraint("ck_wallets_carryover_plan_credit_non_negative", "carryover_plan_credit_micro_yuan >= 0");
            t.HasCheckConstraint("ck_wallets_balance_within_credit", "balance_micro_yuan + credit_limit_micro_yuan >= 0");
        });
        b.HasIndex(w => w.TenantId).IsUnique();
        b.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> b)
    {
        b.ToTable("ledger_entries", t => t.HasCheckConstraint("ck_ledger_entries_amount_non_zero", "amount_micro_yuan <> 0"));
        b.Property(e => e.IdempotencyKey).HasMaxLength(128).IsRequired();
        b.HasIndex(e => e.IdempotencyKey).IsUnique();
        b.Property(e => e.Actor).HasMaxLength(256).IsRequired();
        b.Property(e => e.Memo).HasMaxLength(500).IsRequired();
        b.Property(e => e.Reference).HasMaxLength(64);
        b.HasIndex(e => new { e.TenantId, e.At });
        b.HasOne<Wallet>().WithMany().HasForeignKey(e => e.WalletId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WalletInvariantAlertConfiguration : IEntityTypeConfiguration<WalletInvariantAlert>
{
    public void Configure(EntityTypeBuilder<WalletInvariantAlert> b)
    {
        b.Property(a => a.AcknowledgedBy).HasMaxLength(256);
        b.Property(a => a.Note).HasMaxLength(1000);
        b.HasIndex(a => new { a.WalletId, a.AcknowledgedAt });
        b.HasOne<Wallet>().WithMany().HasForeignKey(a => a.WalletId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WalletLeaseConfiguration : IEntityTypeConfiguration<WalletLease>
{
    public void Configure(EntityTypeBuilder<WalletLease> b)
    {
        b.ToTable("wallet_leases", t => t.HasCheckConstraint("ck_wallet_leases_amount_non_negative", "amount_micro_yuan >= 0"));
        b.Property(l => l.ReplicaId).HasMaxLength(100).IsRequired();
        b.HasIndex(l => new { l.WalletId, l.ReplicaId }).IsUnique();
        b.HasIndex(l => l.ExpiresAt);
        b.HasOne<Wallet>().WithMany().HasForeignKey(l => l.WalletId).OnDelete(DeleteBehavior.Restrict);
    }
}
