using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Plans;

namespace Portal.Core.Features.Sla;

/// <summary>
/// The service level promised to the tenants of one plan, or to pay-as-you-go tenants (<see cref="PlanId"/> null):
/// the monthly availability target and what a miss is worth. Operators set it; the monthly run reads it.
/// </summary>
public sealed class SlaPolicy
{
    /// <summary>The scope of pay-as-you-go tenants (and of plans without their own policy).</summary>
    public const string PayAsYouGoScope = "payg";

    public Guid Id { get; set; }

    /// <summary><see cref="PayAsYouGoScope"/> or the plan's id (<c>N</c> format); unique, so each scope has one policy.</summary>
    public string Scope { get; set; } = PayAsYouGoScope;

    public Guid? PlanId { get; set; }

    /// <summary>Monthly availability promised, in parts per million (999,000 = 99.9 %).</summary>
    public int TargetPpm { get; set; }

    /// <summary>Per hour down, this percentage of that day's service fees is credited (200 = twice the day's fees).</summary>
    public int CompensationPercent { get; set; }

    /// <summary>At most this percentage of the month's fees on a breached model is credited (100 = the whole month's fees).</summary>
    public int MaxCreditPercent { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";

    public SlaTerms Terms => new(TargetPpm, CompensationPercent, MaxCreditPercent);

    public static string ScopeOf(Guid? planId) => planId is { } id ? id.ToString("N") : PayAsYouGoScope;
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> b)
    {
        b.ToTable("sla_policies", t =>
        {
            t.HasCheckConstraint("ck_sla_policies_target", "target_ppm > 0 AND target_ppm <= 1000000");
            t.HasCheckConstraint("ck_sla_policies_compensation", "compensation_percent > 0 AND compensation_percent <= 10000");
            t.HasCheckConstraint("ck_sla_policies_max_credit", "max_credit_percent > 0 AND max_credit_percent <= 1000");
        });
        b.Property(p => p.Scope).HasMaxLength(40).IsRequired();
        b.HasIndex(p => p.Scope).IsUnique();
        b.Property(p => p.UpdatedBy).HasMaxLength(256).IsRequired();
        b.HasOne<Plan>().WithMany().HasForeignKey(p => p.PlanId).OnDelete(DeleteBehavior.Restrict);
    }
}
