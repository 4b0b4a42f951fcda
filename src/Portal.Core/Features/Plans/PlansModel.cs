using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Plans;

internal sealed class PlanConfiguration : IEntityTypeConfiguration<Plan>
{
    public void Configure(EntityTypeBuilder<Plan> b)
    {
        b.ToTable("plans", t =>
        {
            t.HasCheckConstraint("ck_plans_price_positive", "price_micro_yuan > 0");
            t.HasCheckConstraint("ck_plans_credit_positive", "credit_micro_yuan > 0");
        });
        b.Property(p => p.Name).HasMaxLength(50).IsRequired();
        b.Property(p => p.Description).HasMaxLength(500).IsRequired();
        b.HasIndex(p => new { p.Status, p.DisplayOrder });
    }
}

internal sealed class PlanSubscriptionConfiguration : IEntityTypeConfiguration<PlanSubscription>
{
    public void Configure(EntityTypeBuilder<PlanSubscription> b)
    {
        b.ToTable("plan_subscriptions", t => t.HasCheckConstraint("ck_plan_subscriptions_period_positive", "current_period_no >= 1"));
        // NOTE: one active subscription per tenant, whatever the code does (purchases also serialise on the wallet row).
        b.HasIndex(s => s.TenantId, "ux_plan_subscriptions_active_per_tenant").IsUnique().HasFilter("status = 'Active'");
        b.HasIndex(s => new { s.Status, s.CurrentPeriodEndAt });
        b.HasIndex(s => new { s.TenantId, s.CreatedAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Plan>().WithMany().HasForeignKey(s => s.PlanId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PlanPeriodConfiguration : IEntityTypeConfiguration<PlanPeriod>
{
    public void Configure(EntityTypeBuilder<PlanPeriod> b)
    {
        b.ToTable("plan_periods", t => t.HasCheckConstraint("ck_plan_periods_amounts_positive", "price_micro_yuan > 0 AND credit_micro_yuan > 0"));
        b.HasIndex(p => new { p.SubscriptionId, p.PeriodNo }).IsUnique();
        b.HasIndex(p => new { p.TenantId, p.StartAt });
        b.Property(p => p.LedgerKey).HasMaxLength(128).IsRequired();
        b.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<PlanSubscription>().WithMany().HasForeignKey(p => p.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Plan>().WithMany().HasForeignKey(p => p.PlanId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PlanCreditEventConfiguration : IEntityTypeConfiguration<PlanCreditEvent>
{
    public void Configure(EntityTypeBuilder<PlanCreditEvent> b)
    {
        b.ToTable("plan_credit_events", t => t.HasCheckConstraint("ck_plan_credit_events_amount_positive", "amount_micro_yuan > 0"));
        b.HasIndex(e => new { e.TenantId, e.Kind, e.ExpiresAt });
        b.HasIndex(e => new { e.TenantId, e.At });
        b.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<PlanSubscription>().WithMany().HasForeignKey(e => e.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
    }
}
