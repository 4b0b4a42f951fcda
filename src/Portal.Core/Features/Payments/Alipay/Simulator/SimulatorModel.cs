using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Payments.Alipay.Simulator;

public enum SimulatorTradeStatus
{
    /// <summary>Precreated QR code nobody has scanned: Alipay does not know the trade yet (query → TRADE_NOT_EXIST).</summary>
    Precreated,
    WaitBuyerPay,
    TradeSuccess,
    TradeClosed,
    TradeFinished,
}

/// <summary>A trade as the simulated Alipay sees it, with the state of its asynchronous notification.</summary>
public sealed class SimulatorTrade
{
    public Guid Id { get; set; }

    public string AppId { get; set; } = "";

    public string OutTradeNo { get; set; } = "";

    public string TradeNo { get; set; } = "";

    /// <summary>FAST_INSTANT_TRADE_PAY (page pay) or FACE_TO_FACE_PAYMENT (precreate).</summary>
    public string ProductCode { get; set; } = "";

    public string Subject { get; set; } = "";

    public long TotalAmountMicroYuan { get; set; }

    public SimulatorTradeStatus Status { get; set; }

    public string? NotifyUrl { get; set; }

    public string? ReturnUrl { get; set; }

    /// <summary>The secret part of the QR code URL (precreate only).</summary>
    public string? QrToken { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? BuyerLogonId { get; set; }

    public string? BuyerId { get; set; }

    public long RefundedMicroYuan { get; set; }

    public string? NotifyId { get; set; }

    /// <summary>Deliveries made so far for the current notification.</summary>
    public int NotifyAttempts { get; set; }

    /// <summary>When the next delivery is due; null when none is (delivered, given up, or nothing to send).</summary>
    public DateTimeOffset? NextNotifyAt { get; set; }

    public DateTimeOffset? NotifiedAt { get; set; }

    public string? LastNotifyReply { get; set; }
}

/// <summary>A refund the simulated Alipay made; out_request_no is unique per trade, as Alipay's idempotency key.</summary>
public sealed class SimulatorRefund
{
    public Guid Id { get; set; }

    public Guid TradeId { get; set; }

    public string OutRequestNo { get; set; } = "";

    public long AmountMicroYuan { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>
/// A simulator's identity, generated once (row 1: Alipay; row 2: WeChat Pay, whose "Alipay" pair is the platform key
/// and whose app and seller ids are the appid and mchid): the merchant app's key pair (whose private half the portal signs with)
/// and "Alipay's" key pair (whose public half the portal verifies with). They guard no real money, so they are
/// stored as they are; real keys come from configuration.
/// </summary>
public sealed class SimulatorKeySet
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public string AppId { get; set; } = "";

    public string SellerId { get; set; } = "";

    public string MerchantPrivateKey { get; set; } = "";

    public string MerchantPublicKey { get; set; } = "";

    public string AlipayPrivateKey { get; set; } = "";

    public string AlipayPublicKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class SimulatorTradeConfiguration : IEntityTypeConfiguration<SimulatorTrade>
{
    public void Configure(EntityTypeBuilder<SimulatorTrade> b)
    {
        b.ToTable("simulator_alipay_trades");
        b.Property(t => t.AppId).HasMaxLength(32).IsRequired();
        b.Property(t => t.OutTradeNo).HasMaxLength(64).IsRequired();
        b.HasIndex(t => new { t.AppId, t.OutTradeNo }).IsUnique();
        b.Property(t => t.TradeNo).HasMaxLength(64).IsRequired();
        b.HasIndex(t => t.TradeNo).IsUnique();
        b.Property(t => t.ProductCode).HasMaxLength(32).IsRequired();
        b.Property(t => t.Subject).HasMaxLength(256).IsRequired();
        b.Property(t => t.NotifyUrl).HasMaxLength(256);
        b.Property(t => t.ReturnUrl).HasMaxLength(256);
        b.Property(t => t.QrToken).HasMaxLength(64);
        b.HasIndex(t => t.QrToken).IsUnique();
        b.Property(t => t.BuyerLogonId).HasMaxLength(100);
        b.Property(t => t.BuyerId).HasMaxLength(32);
        b.Property(t => t.NotifyId).HasMaxLength(64);
        b.Property(t => t.LastNotifyReply).HasMaxLength(200);
        b.HasIndex(t => t.NextNotifyAt);
        b.HasIndex(t => t.PaidAt);
    }
}

internal sealed class SimulatorRefundConfiguration : IEntityTypeConfiguration<SimulatorRefund>
{
    public void Configure(EntityTypeBuilder<SimulatorRefund> b)
    {
        b.ToTable("simulator_alipay_refunds");
        b.Property(r => r.OutRequestNo).HasMaxLength(64).IsRequired();
        b.HasIndex(r => new { r.TradeId, r.OutRequestNo }).IsUnique();
        b.HasIndex(r => r.At);
        b.HasOne<SimulatorTrade>().WithMany().HasForeignKey(r => r.TradeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SimulatorKeySetConfiguration : IEntityTypeConfiguration<SimulatorKeySet>
{
    public void Configure(EntityTypeBuilder<SimulatorKeySet> b)
    {
        b.ToTable("simulator_alipay_keys");
        b.Property(k => k.Id).ValueGeneratedNever();
        b.Property(k => k.AppId).HasMaxLength(32).IsRequired();
        b.Property(k => k.SellerId).HasMaxLength(32).IsRequired();
        b.Property(k => k.MerchantPrivateKey).HasMaxLength(4000).IsRequired();
        b.Property(k => k.MerchantPublicKey).HasMaxLength(1000).IsRequired();
        b.Property(k => k.AlipayPrivateKey).HasMaxLength(4000).IsRequired();
        b.Property(k => k.AlipayPublicKey).HasMaxLength(1000).IsRequired();
    }
}
