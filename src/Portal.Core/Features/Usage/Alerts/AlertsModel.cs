using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Usage.Alerts;

internal sealed class UsageAlertSettingsConfiguration : IEntityTypeConfiguration<UsageAlertSettings>
{
    public void Configure(EntityTypeBuilder<UsageAlertSettings> b)
    {
        b.ToTable("usage_alert_settings", t =>
        {
            t.HasCheckConstraint("ck_usage_alert_settings_thresholds_positive",
                "(low_balance_threshold_micro_yuan IS NULL OR low_balance_threshold_micro_yuan > 0) AND (monthly_spend_threshold_micro_yuan IS NULL OR monthly_spend_threshold_micro_yuan > 0)");
        });
        b.HasKey(s => s.TenantId);
        b.Property(s => s.WebhookUrl).HasMaxLength(500);
        b.Property(s => s.WebhookSecretProtected).HasMaxLength(1000);
        b.HasOne<Tenant>().WithOne().HasForeignKey<UsageAlertSettings>(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class UsageAlertConfiguration : IEntityTypeConfiguration<UsageAlert>
{
    public void Configure(EntityTypeBuilder<UsageAlert> b)
    {
        b.ToTable("usage_alerts");
        b.Property(a => a.Period).HasMaxLength(32).IsRequired();
        // Once per crossing, enforced by the database.
        b.HasIndex(a => new { a.TenantId, a.Kind, a.ApiKeyId, a.Period }).IsUnique();
        b.HasIndex(a => new { a.TenantId, a.At });
        b.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.Property(d => d.Event).HasMaxLength(64).IsRequired();
        b.Property(d => d.Url).HasMaxLength(500).IsRequired();
        b.Property(d => d.Body).IsRequired();
        b.Property(d => d.LastError).HasMaxLength(1000);
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
        b.HasIndex(d => new { d.TenantId, d.CreatedAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<UsageAlert>().WithMany().HasForeignKey(d => d.AlertId).OnDelete(DeleteBehavior.Restrict);
    }
}
