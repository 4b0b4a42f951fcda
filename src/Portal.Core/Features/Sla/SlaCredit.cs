using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Sla;

public enum SlaCreditStatus
{
    /// <summary>Every model the tenant paid for met the target (or the compensation rounds to less than a fen).</summary>
    [EnumText("No credit due")]
    NoBreach,

    /// <summary>Computed and due; the run credits it (a crash between the two leaves it here for the next run).</summary>
    [EnumText("Credit due")]
    Pending,

    /// <summary>Paid into the wallet through the ledger (<c>sla:{tenant}:{yyyy-MM}</c>).</summary>
    [EnumText("Credited")]
    Credited,

    /// <summary>An operator stopped it with a reason; releasing it credits it.</summary>
    [EnumText("Held by an operator")]
    Held,
}

/// <summary>
/// One tenant's SLA outcome for one Beijing-time month: the terms that applied, what was computed per model, the amount
/// and whether it was credited or held. One row per tenant and month (unique), written by the monthly run.
/// </summary>
public sealed class SlaCredit : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>yyyyMM, Beijing time.</summary>
    public int Month { get; set; }

    /// <summary>Which policy applied: <c>payg</c> or the plan's id.</summary>
    public string Scope { get; set; } = "";

    public int TargetPpm { get; set; }

    public int CompensationPercent { get; set; }

    public int MaxCreditPercent { get; set; }

    /// <summary>The tenant's service fees of the month (list-price cost of its usage, all models).</summary>
    public long FeesMicroYuan { get; set; }

    /// <summary>The credit, whole fen, ≥ 0.</summary>
    public long AmountMicroYuan { get; set; }

    /// <summary>Per model: fees, spend-weighted availability and credit (JSON of <see cref="SlaModelOutcome"/>).</summary>
    public string ModelsJson { get; set; } = "[]";

    public SlaCreditStatus Status { get; set; }

    public string? HoldReason { get; set; }

    public string? HeldBy { get; set; }

    public DateTimeOffset? HeldAt { get; set; }

    public DateTimeOffset ComputedAt { get; set; }

    public DateTimeOffset? CreditedAt { get; set; }

    /// <summary>When the Owners were emailed; set once, by a conditional update, so they get one email.</summary>
    public DateTimeOffset? NotifiedAt { get; set; }

    public Common.Money Amount => new(AmountMicroYuan);

    public Common.Money Fees => new(FeesMicroYuan);

    public string MonthText => SlaMonths.Text(Month);

    public IReadOnlyList<SlaModelOutcome> Models => SlaModelOutcome.Parse(ModelsJson);
}

internal sealed class SlaCreditConfiguration : IEntityTypeConfiguration<SlaCredit>
{
    public void Configure(EntityTypeBuilder<SlaCredit> b)
    {
        b.ToTable("sla_credits", t =>
        {
            t.HasCheckConstraint("ck_sla_credits_amount_non_negative", "amount_micro_yuan >= 0");
            t.HasCheckConstraint("ck_sla_credits_fees_non_negative", "fees_micro_yuan >= 0");
        });
        b.HasIndex(c => new { c.TenantId, c.Month }).IsUnique();
        b.HasIndex(c => c.Month);
        b.Property(c => c.Scope).HasMaxLength(40).IsRequired();
        b.Property(c => c.ModelsJson).IsRequired();
        b.Ignore(c => c.Models);
        b.Property(c => c.HoldReason).HasMaxLength(500);
        b.Property(c => c.HeldBy).HasMaxLength(256);
        b.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
