using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments;

internal sealed class TopUpOrderConfiguration : IEntityTypeConfiguration<TopUpOrder>
{
    public void Configure(EntityTypeBuilder<TopUpOrder> b)
    {
        b.ToTable("top_up_orders", t =>
        {
            t.HasCheckConstraint("ck_top_up_orders_amount_positive", "amount_micro_yuan > 0");
            t.HasCheckConstraint("ck_top_up_orders_refunded_within_amount", "refunded_micro_yuan >= 0 AND refunded_micro_yuan <= amount_micro_yuan");
        });
        b.Property(o => o.OrderNo).HasMaxLength(64).IsRequired();
        b.HasIndex(o => o.OrderNo).IsUnique();
        b.Property(o => o.Subject).HasMaxLength(256).IsRequired();
        b.Property(o => o.AlipayTradeNo).HasMaxLength(64);
        b.HasIndex(o => o.AlipayTradeNo);
        b.Property(o => o.WechatTransactionId).HasMaxLength(64);
        b.HasIndex(o => o.WechatTransactionId);
        b.Ignore(o => o.TradeNo);
        b.Property(o => o.QrCode).HasMaxLength(512);
        b.HasIndex(o => new { o.TenantId, o.CreatedAt });
        b.HasIndex(o => new { o.Status, o.CreatedAt });
        b.HasIndex(o => new { o.Status, o.PaidAt });
        b.HasOne<Tenant>().WithMany().HasForeignKey(o => o.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AlipayNotifyLogConfiguration : IEntityTypeConfiguration<AlipayNotifyLog>
{
    public void Configure(EntityTypeBuilder<AlipayNotifyLog> b)
    {
        b.Property(n => n.Detail).HasMaxLength(1000).IsRequired();
        b.Property(n => n.NotifyId).HasMaxLength(128);
        b.Property(n => n.OutTradeNo).HasMaxLength(128);
        b.Property(n => n.TradeNo).HasMaxLength(128);
        b.Property(n => n.TradeStatus).HasMaxLength(64);
        b.Property(n => n.TotalAmount).HasMaxLength(32);
        b.Property(n => n.RawBody).HasMaxLength(16000).IsRequired();
        b.Property(n => n.RemoteIp).HasMaxLength(64);
        b.HasIndex(n => n.ReceivedAt);
        b.HasIndex(n => n.OutTradeNo);
    }
}

internal sealed class ReconciliationExceptionConfiguration : IEntityTypeConfiguration<ReconciliationException>
{
    public void Configure(EntityTypeBuilder<ReconciliationException> b)
    {
        b.Property(r => r.Key).HasMaxLength(200).IsRequired();
        b.HasIndex(r => r.Key).IsUnique();
        b.Property(r => r.OutTradeNo).HasMaxLength(128).IsRequired();
        b.Property(r => r.TradeNo).HasMaxLength(128);
        b.Property(r => r.Detail).HasMaxLength(1000).IsRequired();
        b.Property(r => r.ResolvedBy).HasMaxLength(256);
        b.Property(r => r.ResolutionNote).HasMaxLength(1000);
        b.HasIndex(r => new { r.ResolvedAt, r.BillDate });
    }
}
