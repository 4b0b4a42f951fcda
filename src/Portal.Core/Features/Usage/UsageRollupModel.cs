using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Usage;

internal sealed class UsageHourlyConfiguration : IEntityTypeConfiguration<UsageHourly>
{
    public void Configure(EntityTypeBuilder<UsageHourly> b)
    {
        b.ToTable("usage_hourly");
        // The upsert's conflict target; tenant and time first, so a tenant's range is one index range.
        b.HasKey(r => new { r.TenantId, r.Hour, r.ApiKeyId, r.Model });
        b.Property(r => r.Model).HasMaxLength(100);
        b.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class UsageDailyConfiguration : IEntityTypeConfiguration<UsageDaily>
{
    public void Configure(EntityTypeBuilder<UsageDaily> b)
    {
        b.ToTable("usage_daily");
        b.HasKey(r => new { r.TenantId, r.Day, r.ApiKeyId, r.Model });
        b.Property(r => r.Model).HasMaxLength(100);
        // Operator dashboards: every tenant's spend over a range of days.
        b.HasIndex(r => r.Day);
        b.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ChannelUsageHourlyConfiguration : IEntityTypeConfiguration<ChannelUsageHourly>
{
    public void Configure(EntityTypeBuilder<ChannelUsageHourly> b)
    {
        b.ToTable("channel_usage_hourly");
        b.HasKey(r => new { r.Hour, r.ChannelId, r.Model });
        b.Property(r => r.Model).HasMaxLength(100);
    }
}
