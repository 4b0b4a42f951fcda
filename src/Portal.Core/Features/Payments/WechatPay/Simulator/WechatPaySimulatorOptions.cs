namespace Portal.Core.Features.Payments.WechatPay.Simulator;

/// <summary>Bound from <c>WechatPay:Simulator</c>; only read when <c>WechatPay:Mode</c> is Simulator.</summary>
public sealed class WechatPaySimulatorOptions
{
    public const string Section = "WechatPay:Simulator";

    /// <summary>Run the background sender of notifications (tests turn it off and deliver by hand).</summary>
    public bool RunNotifier { get; set; } = true;

    /// <summary>Verify with platform certificates (GET /v3/certificates) instead of the WeChat Pay public key (公钥模式).</summary>
    public bool PlatformCertificates { get; set; }

    /// <summary>
    /// Waits before each retry when the merchant does not answer 200/204: WeChat Pay's 15s/15s/30s/3m/10m/20m/30m/30m/30m/
    /// 60m/3h/3h/3h/6h/6h compressed 15× by default. The first delivery is immediate; after the last retry it gives up.
    /// </summary>
    public TimeSpan[] NotifyRetrySchedule { get; set; } =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(40),
        TimeSpan.FromSeconds(80), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4),
        TimeSpan.FromMinutes(12), TimeSpan.FromMinutes(12), TimeSpan.FromMinutes(12), TimeSpan.FromMinutes(24), TimeSpan.FromMinutes(24),
    ];
}
