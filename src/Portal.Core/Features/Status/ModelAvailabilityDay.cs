using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Usage;

namespace Portal.Core.Features.Status;

/// <summary>
/// One model on one Beijing day, across tenants: the requests that count for availability and those of them that
/// failed for a platform reason (<see cref="AvailabilityOutcome"/>). Maintained by <see cref="AvailabilityObserver"/>
/// in the settlement writer's transaction, like the usage roll-ups.
/// </summary>
public sealed class ModelAvailabilityDay
{
    public string Model { get; set; } = "";

    /// <summary>yyyyMMdd in Asia/Shanghai (<see cref="UsageBuckets.DayOf"/>).</summary>
    public int Day { get; set; }

    /// <summary>Requests that count: everything admitted except client errors and client hang-ups before an answer.</summary>
    public long Requests { get; set; }

    /// <summary>Of <see cref="Requests"/>, those that failed for a platform reason.</summary>
    public long PlatformFailures { get; set; }
}

internal sealed class ModelAvailabilityDayConfiguration : IEntityTypeConfiguration<ModelAvailabilityDay>
{
    public void Configure(EntityTypeBuilder<ModelAvailabilityDay> b)
    {
        b.ToTable("model_availability_daily", t => t.HasCheckConstraint("ck_model_availability_daily_failures", "platform_failures >= 0 AND platform_failures <= requests"));
        b.HasKey(r => new { r.Day, r.Model });
        b.Property(r => r.Model).HasMaxLength(100);
    }
}
