using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Payments.WechatPay.Simulator;

/// <summary>An order as the simulated WeChat Pay sees it (trade_state NOTPAY → SUCCESS | CLOSED, REFUND once refunded), with its notification state.</summary>
public sealed class WechatSimulatorTrade
{
    public Guid Id { get; set; }

    public string MchId { get; set; } = "";

    public string AppId { get; set; } = "";

    public string OutTradeNo { get; set; } = "";

    /// <summary>NATIVE or MWEB (H5).</summary>
    public string TradeType { get; set; } = "";

    public string Description { get; set; } = "";

    public long TotalFen { get; set; }

    /// <summary>NOTPAY, SUCCESS, CLOSED or REFUND.</summary>
    public string TradeState { get; set; } = "";

    public string? TransactionId { get; set; }

    public string? PayerOpenId { get; set; }

    public string NotifyUrl { get; set; } = "";

    /// <summary>The secret part of the code_url / h5_url.</summary>
    public string PayToken { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public long RefundedFen { get; set; }

    public string? NotificationId { get; set; }

    public int NotifyAttempts { get; set; }

    public DateTimeOffset? NextNotifyAt { get; set; }

    public DateTimeOffset? NotifiedAt { get; set; }

    public string? LastNotifyReply { get; set; }
}

/// <summary>A refund the simulated WeChat Pay made; out_refund_no is unique per merchant, as WeChat Pay's idempotency key.</summary>
public sealed class WechatSimulatorRefund
{
    public Guid Id { get; set; }

    public Guid TradeId { get; set; }

    public string OutRefundNo { get; set; } = "";

    public string RefundId { get; set; } = "";

    public long RefundFen { get; set; }

    /// <summary>SUCCESS (the simulator settles at once, though it answers PROCESSING like WeChat Pay does).</summary>
    public string Status { get; set; } = "";

    public string? NotifyUrl { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SucceededAt { get; set; }

    public int NotifyAttempts { get; set; }

    public DateTimeOffset? NextNotifyAt { get; set; }

    public string? LastNotifyReply { get; set; }
}

internal sealed class WechatSimulatorTradeConfiguration : IEntityTypeConfiguration<WechatSimulatorTrade>
{
    public void Configure(EntityTypeBuilder<WechatSimulatorTrade> b)
    {
        b.ToTable("simulator_wechat_trades");
        b.Property(t => t.MchId).HasMaxLength(32).IsRequired();
        b.Property(t => t.AppId).HasMaxLength(32).IsRequired();
        b.Property(t => t.OutTradeNo).HasMaxLength(64).IsRequired();
        b.HasIndex(t => new { t.MchId, t.OutTradeNo }).IsUnique();
        b.Property(t => t.TradeType).HasMaxLength(16).IsRequired();
        b.Property(t => t.Description).HasMaxLength(256).IsRequired();
        b.Property(t => t.TradeState).HasMaxLength(16).IsRequired();
        b.Property(t => t.TransactionId).HasMaxLength(32);
        b.HasIndex(t => t.TransactionId).IsUnique();
        b.Property(t => t.PayerOpenId).HasMaxLength(64);
        b.Property(t => t.NotifyUrl).HasMaxLength(256).IsRequired();
        b.Property(t => t.PayToken).HasMaxLength(64).IsRequired();
        b.HasIndex(t => t.PayToken).IsUnique();
        b.Property(t => t.NotificationId).HasMaxLength(64);
        b.Property(t => t.LastNotifyReply).HasMaxLength(200);
        b.HasIndex(t => t.NextNotifyAt);
        b.HasIndex(t => t.PaidAt);
    }
}

internal sealed class WechatSimulatorRefundConfiguration : IEntityTypeConfiguration<WechatSimulatorRefund>
{
    public void Configure(EntityTypeBuilder<WechatSimulatorRefund> b)
    {
        b.ToTable("simulator_wechat_refunds");
        b.Property(r => r.OutRefundNo).HasMaxLength(64).IsRequired();
        b.HasIndex(r => r.OutRefundNo).IsUnique();
        b.Property(r => r.RefundId).HasMaxLength(32).IsRequired();
        b.Property(r => r.Status).HasMaxLength(16).IsRequired();
        b.Property(r => r.NotifyUrl).HasMaxLength(256);
        b.Property(r => r.LastNotifyReply).HasMaxLength(200);
        b.HasIndex(r => r.NextNotifyAt);
        b.HasIndex(r => r.SucceededAt);
        b.HasOne<WechatSimulatorTrade>().WithMany().HasForeignKey(r => r.TradeId).OnDelete(DeleteBehavior.Cascade);
    }
}
