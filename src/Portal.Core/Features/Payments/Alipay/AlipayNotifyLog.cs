namespace Portal.Core.Features.Payments.Alipay;

public enum AlipayNotifyOutcome
{
    /// <summary>Verified and paid: the order was credited by this delivery.</summary>
    Credited,

    /// <summary>Verified and paid, but an earlier delivery (or the query job) already credited it.</summary>
    Duplicate,

    /// <summary>Verified, not a payment (TRADE_CLOSED): acknowledged, nothing changed.</summary>
    Acknowledged,

    /// <summary>Verified, but the trade is not paid yet (WAIT_BUYER_PAY): not acknowledged, nothing changed.</summary>
    Ignored,

    /// <summary>Signature, app, seller, order or amount did not check out. Nothing credited.</summary>
    Rejected,

    /// <summary>Processing failed unexpectedly; Alipay will deliver it again.</summary>
    Failed,
}

/// <summary>Every notification posted to the notify endpoint, raw, with what the portal made of it. Operators read it.</summary>
public sealed class AlipayNotifyLog
{
    public Guid Id { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public AlipayNotifyOutcome Outcome { get; set; }

    public string Detail { get; set; } = "";

    /// <summary>The fields as posted (unverified when <see cref="Outcome"/> is Rejected).</summary>
    public string? NotifyId { get; set; }

    public string? OutTradeNo { get; set; }

    public string? TradeNo { get; set; }

    public string? TradeStatus { get; set; }

    public string? TotalAmount { get; set; }

    public Guid? TenantId { get; set; }

    /// <summary>The request body exactly as received (form-encoded).</summary>
    public string RawBody { get; set; } = "";

    public string? RemoteIp { get; set; }
}
