using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.ApiKeys;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("api_keys", t => t.HasCheckConstraint("ck_api_keys_budget_non_negative", "monthly_budget_micro_yuan IS NULL OR monthly_budget_micro_yuan >= 0"));
        b.Property(k => k.Name).HasMaxLength(100).IsRequired();
        b.Property(k => k.Prefix).HasMaxLength(16).IsRequired();
        b.Property(k => k.SecretHash).HasMaxLength(64).IsRequired();
        b.HasIndex(k => k.SecretHash).IsUnique();
        b.HasIndex(k => new { k.TenantId, k.CreatedAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ApiKeySpendConfiguration : IEntityTypeConfiguration<ApiKeySpend>
{
    public void Configure(EntityTypeBuilder<ApiKeySpend> b)
    {
        b.ToTable("api_key_spend", t => t.HasCheckConstraint("ck_api_key_spend_reserved_non_negative", "reserved_micro_yuan >= 0"));
        b.HasKey(s => new { s.ApiKeyId, s.Month });
        b.HasIndex(s => new { s.TenantId, s.Month });
        b.HasOne<ApiKey>().WithMany().HasForeignKey(s => s.ApiKeyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ApiKeyBudgetHoldConfiguration : IEntityTypeConfiguration<ApiKeyBudgetHold>
{
    public void Configure(EntityTypeBuilder<ApiKeyBudgetHold> b)
    {
        b.ToTable("api_key_budget_holds", t => t.HasCheckConstraint("ck_api_key_budget_holds_reserved_non_negative", "reserved_micro_yuan >= 0"));
        b.HasKey(h => new { h.ApiKeyId, h.Month, h.ReplicaId });
        b.Property(h => h.ReplicaId).HasMaxLength(100);
        b.HasIndex(h => h.ExpiresAt);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(h => h.ApiKeyId).OnDelete(DeleteBehavior.Restrict);
    }
}
