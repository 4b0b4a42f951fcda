namespace Portal.Core.Features.Payments;

/// <summary>What the portal made of one delivery of a payment notification (Alipay or WeChat Pay).</summary>
public enum PaymentNotifyOutcome
{
    /// <summary>Verified and paid: the order was credited by this delivery.</summary>
    Credited,

    /// <summary>Verified and paid, but an earlier delivery (or the query job) already credited it.</summary>
    Duplicate,

    /// <summary>Verified, not a payment (TRADE_CLOSED, a WeChat refund result): acknowledged, nothing changed.</summary>
    Acknowledged,

    /// <summary>Verified, but the trade is not paid yet (WAIT_BUYER_PAY): not acknowledged, nothing changed.</summary>
    Ignored,

    /// <summary>Signature, app, seller, order or amount did not check out. Nothing credited.</summary>
    Rejected,

    /// <summary>Processing failed unexpectedly; the rail will deliver it again.</summary>
    Failed,
}
