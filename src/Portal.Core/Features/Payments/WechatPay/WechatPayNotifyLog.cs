using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>Every notification posted to <c>/payments/wechatpay/notify</c>, raw, with its headers and what the portal made of it.</summary>
public sealed class WechatPayNotifyLog
{
    public Guid Id { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public PaymentNotifyOutcome Outcome { get; set; }

    public string Detail { get; set; } = "";

    /// <summary>The envelope's id and event_type (TRANSACTION.SUCCESS, REFUND.SUCCESS…), as posted.</summary>
    public string? NotificationId { get; set; }

    public string? EventType { get; set; }

    /// <summary>From the decrypted resource; null when it could not be verified or decrypted.</summary>
    public string? OutTradeNo { get; set; }

    public string? TransactionId { get; set; }

    /// <summary>trade_state or refund_status from the resource.</summary>
    public string? State { get; set; }

    public long? AmountFen { get; set; }

    public Guid? TenantId { get; set; }

    /// <summary>Wechatpay-Timestamp, -Nonce, -Serial and -Signature as received.</summary>
    public string Headers { get; set; } = "";

    /// <summary>The request body exactly as received (the resource stays encrypted, as WeChat Pay sent it).</summary>
    public string RawBody { get; set; } = "";

    public string? RemoteIp { get; set; }
}

internal sealed class WechatPayNotifyLogConfiguration : IEntityTypeConfiguration<WechatPayNotifyLog>
{
    public void Configure(EntityTypeBuilder<WechatPayNotifyLog> b)
    {
        b.ToTable("wechat_pay_notify_logs");
        b.Property(n => n.Detail).HasMaxLength(1000).IsRequired();
        b.Property(n => n.NotificationId).HasMaxLength(128);
        b.Property(n => n.EventType).HasMaxLength(64);
        b.Property(n => n.OutTradeNo).HasMaxLength(128);
        b.Property(n => n.TransactionId).HasMaxLength(128);
        b.Property(n => n.State).HasMaxLength(64);
        b.Property(n => n.Headers).HasMaxLength(1000).IsRequired();
        b.Property(n => n.RawBody).HasMaxLength(16000).IsRequired();
        b.Property(n => n.RemoteIp).HasMaxLength(64);
        b.HasIndex(n => n.ReceivedAt);
        b.HasIndex(n => n.OutTradeNo);
    }
}
