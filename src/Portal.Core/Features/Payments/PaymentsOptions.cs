using System.ComponentModel.DataAnnotations;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments;

/// <summary>Bound from <c>Payments</c>.</summary>
public sealed class PaymentsOptions
{
    public const string Section = "Payments";

    /// <summary>Smallest top-up in whole yuan.</summary>
    [Range(1, 1_000_000_000)]
    public long MinimumTopUpYuan { get; set; } = 1;

    /// <summary>Largest top-up in whole yuan.</summary>
    [Range(1, 1_000_000_000)]
    public long MaximumTopUpYuan { get; set; } = 100_000;

    /// <summary>How long a top-up order can be paid; Alipay gets it as time_expire.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan OrderExpiry { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long after payment an Alipay top-up can be refunded through Alipay; older ones are refunded by bank.</summary>
    [Range(1, 3650)]
    public int AlipayRefundWindowDays { get; set; } = 365;

    public Money MinimumTopUp => Money.FromYuan(MinimumTopUpYuan);

    public Money MaximumTopUp => Money.FromYuan(MaximumTopUpYuan);
}
