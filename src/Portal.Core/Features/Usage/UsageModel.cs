using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Usage;

internal sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public void Configure(EntityTypeBuilder<UsageRecord> b)
    {
        b.ToTable("usage_records", t =>
        {
            t.HasCheckConstraint("ck_usage_records_amounts_non_negative",
                "cost_micro_yuan >= 0 AND plan_credit_used_micro_yuan >= 0 AND wallet_charged_micro_yuan >= 0");
            t.HasCheckConstraint("ck_usage_records_cost_split", "cost_micro_yuan = plan_credit_used_micro_yuan + wallet_charged_micro_yuan");
        });
        b.Property(u => u.RequestId).HasMaxLength(64).IsRequired();
        b.HasIndex(u => u.RequestId).IsUnique();
        b.Property(u => u.Model).HasMaxLength(100).IsRequired();
        b.Property(u => u.ErrorCode).HasMaxLength(64);
        b.Property(u => u.ClientIp).HasMaxLength(45).IsRequired();
        b.Property(u => u.PiiFindings).HasMaxLength(200);
        // Keyset pagination of the request log: (tenant, time, id) descending, optionally per key.
        b.HasIndex(u => new { u.TenantId, u.At, u.Id });
        b.HasIndex(u => new { u.TenantId, u.ApiKeyId, u.At });
        b.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(u => u.ApiKeyId).OnDelete(DeleteBehavior.Restrict);
    }
}
