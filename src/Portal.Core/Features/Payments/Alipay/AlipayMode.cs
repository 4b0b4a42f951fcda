namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Which Alipay gateway the app talks to.</summary>
public enum AlipayMode
{
    /// <summary>The app's built-in simulator; <see cref="AlipayOptions.Gateway"/> must point at it.</summary>
    Simulator,

    /// <summary>Alipay's sandbox environment.</summary>
    Sandbox,

    /// <summary>Real money.</summary>
    Production,
}
