using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Common;

namespace Portal.Core.Features.Discounts;

/// <summary>
/// A volume discount tier: a month whose counted spend reaches <see cref="MinimumSpendMicroYuan"/> gets
/// <see cref="RateBasisPoints"/> of that spend back as a rebate at month end (the highest tier reached applies to the
/// whole spend). Operators manage the list; not tenant-owned.
/// </summary>
public sealed class VolumeDiscountTier
{
    public Guid Id { get; set; }

    public long MinimumSpendMicroYuan { get; set; }

    /// <summary>Hundredths of a percent: 1,000 = 10 % (9 折).</summary>
    public int RateBasisPoints { get; set; }

    public Money MinimumSpend => new(MinimumSpendMicroYuan);

    /// <summary>10 % → <c>10</c>, 12.5 % → <c>12.5</c>.</summary>
    public string PercentText => (RateBasisPoints / 100m).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The Chinese way of saying it: 10 % off → <c>9</c> (9 折), 15 % → <c>8.5</c>.</summary>
    public string ZheText => ((10_000 - RateBasisPoints) / 1_000m).ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>The platform's one row of volume-discount settings (id 1); absent = plan credit does not count.</summary>
public sealed class VolumeDiscountSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>Usage paid from plan credit counts toward the tiers and the rebate (else only what the wallet paid).</summary>
    public bool PlanCreditCounts { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

internal sealed class VolumeDiscountTierConfiguration : IEntityTypeConfiguration<VolumeDiscountTier>
{
    public void Configure(EntityTypeBuilder<VolumeDiscountTier> b)
    {
        b.ToTable("volume_discount_tiers", t =>
        {
            t.HasCheckConstraint("ck_volume_discount_tiers_minimum_positive", "minimum_spend_micro_yuan > 0");
            t.HasCheckConstraint("ck_volume_discount_tiers_rate", "rate_basis_points > 0 AND rate_basis_points <= 5000");
        });
        b.HasIndex(t => t.MinimumSpendMicroYuan).IsUnique();
        b.Ignore(t => t.MinimumSpend);
    }
}

internal sealed class VolumeDiscountSettingsConfiguration : IEntityTypeConfiguration<VolumeDiscountSettings>
{
    public void Configure(EntityTypeBuilder<VolumeDiscountSettings> b)
    {
        b.ToTable("volume_discount_settings", t => t.HasCheckConstraint("ck_volume_discount_settings_singleton", "id = 1"));
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.UpdatedBy).HasMaxLength(256).IsRequired();
    }
}
