namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Every notification posted to the notify endpoint, raw, with what the portal made of it. Operators read it.</summary>
public sealed class AlipayNotifyLog
{
    public Guid Id { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public PaymentNotifyOutcome Outcome { get; set; }

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
