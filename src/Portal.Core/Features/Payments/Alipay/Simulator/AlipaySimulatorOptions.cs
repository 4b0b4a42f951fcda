namespace Portal.Core.Features.Payments.Alipay.Simulator;

/// <summary>Bound from <c>Alipay:Simulator</c>; only read when <c>Alipay:Mode</c> is Simulator.</summary>
public sealed class AlipaySimulatorOptions
{
    public const string Section = "Alipay:Simulator";

    /// <summary>Run the background sender of notifications (tests turn it off and deliver by hand).</summary>
    public bool RunNotifier { get; set; } = true;

    /// <summary>
    /// Waits before each retry when the merchant does not answer <c>success</c>: Alipay's 4m, 10m, 10m, 1h, 2h, 6h, 15h
    /// compressed 60× by default. The first delivery is immediate; after the last retry the simulator gives up.
    /// </summary>
    public TimeSpan[] NotifyRetrySchedule { get; set; } =
    [
        TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(15),
    ];

    /// <summary>How long a bill download URL works (Alipay: about 30 seconds).</summary>
    public TimeSpan BillUrlLifetime { get; set; } = TimeSpan.FromSeconds(30);
}
