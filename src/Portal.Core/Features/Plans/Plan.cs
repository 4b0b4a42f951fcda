using Portal.Core.Common;

namespace Portal.Core.Features.Plans;

public enum PlanStatus
{
    /// <summary>On sale in the catalogue.</summary>
    Active,

    /// <summary>No longer sold; current subscribers keep it and renew it.</summary>
    Archived,
}

/// <summary>
/// A package plan (套餐) the platform sells: a price paid from the wallet for one month and the plan credit (¥ of
/// usage at list prices) it includes. Not tenant-owned: operators manage the catalogue. Price and credit changes
/// apply to purchases and renewals from then on; a period already paid keeps what it was sold with.
/// </summary>
public sealed class Plan
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    public long PriceMicroYuan { get; set; }

    /// <summary>Plan credit granted each period, spent on usage at list prices before the wallet balance.</summary>
    public long CreditMicroYuan { get; set; }

    public PlanStatus Status { get; set; }

    /// <summary>Ascending: the catalogue shows lower numbers first.</summary>
    public int DisplayOrder { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Money Price => new(PriceMicroYuan);

    public Money Credit => new(CreditMicroYuan);
}
