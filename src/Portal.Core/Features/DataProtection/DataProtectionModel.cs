using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.DataProtection;

internal sealed class DataPolicyConfiguration : IEntityTypeConfiguration<DataPolicy>
{
    public void Configure(EntityTypeBuilder<DataPolicy> b)
    {
        b.ToTable("data_policies");
        // One default per tenant and one override per key, enforced by the database.
        b.HasIndex(p => p.TenantId).IsUnique().HasFilter("api_key_id IS NULL").HasDatabaseName("ix_data_policies_tenant_default");
        b.HasIndex(p => p.ApiKeyId).IsUnique();
        b.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(p => p.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
