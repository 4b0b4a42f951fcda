using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Catalog;

internal sealed class AiModelConfiguration : IEntityTypeConfiguration<AiModel>
{
    public void Configure(EntityTypeBuilder<AiModel> b)
    {
        b.ToTable("ai_models", t =>
        {
            t.HasCheckConstraint("ck_ai_models_prices_non_negative",
                "input_price_per_million_micro_yuan >= 0 AND output_price_per_million_micro_yuan >= 0 AND cached_input_price_per_million_micro_yuan >= 0 AND (cache_write_price_per_million_micro_yuan IS NULL OR cache_write_price_per_million_micro_yuan >= 0)");
            t.HasCheckConstraint("ck_ai_models_hold_positive", "default_hold_output_tokens > 0");
        });
        b.Property(m => m.PublicId).HasMaxLength(100).IsRequired();
        b.HasIndex(m => m.PublicId).IsUnique();
        b.Property(m => m.DisplayName).HasMaxLength(200).IsRequired();
        // Models that existed before the flags were added keep working as they did: everything allowed.
        b.Property(m => m.SupportsTools).HasDefaultValue(true).HasSentinel(true);
        b.Property(m => m.SupportsVision).HasDefaultValue(true).HasSentinel(true);
        b.Property(m => m.SupportsJsonMode).HasDefaultValue(true).HasSentinel(true);
    }
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> b)
    {
        b.ToTable("channels", t =>
        {
            t.HasCheckConstraint("ck_channels_weight_positive", "weight >= 1");
            t.HasCheckConstraint("ck_channels_failure_per_mille", "simulator_failure_per_mille >= 0 AND simulator_failure_per_mille <= 1000");
        });
        b.Property(c => c.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(c => c.Name).IsUnique();
        b.Property(c => c.BaseUrl).HasMaxLength(500);
        b.Property(c => c.ApiKeyProtected).HasMaxLength(2000);
        b.Property(c => c.ApiKeyLast4).HasMaxLength(4);
        b.Property(c => c.AzureApiVersion).HasMaxLength(40);
        b.Property(c => c.SimulatorWireFamily).HasDefaultValue(WireFamily.OpenAI);
        b.Property(c => c.Region).HasDefaultValue(ChannelRegion.Domestic);
        b.Property(c => c.ProviderCountry).HasMaxLength(2);
        b.HasMany(c => c.Models).WithOne().HasForeignKey(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChannelModelConfiguration : IEntityTypeConfiguration<ChannelModel>
{
    public void Configure(EntityTypeBuilder<ChannelModel> b)
    {
        b.ToTable("channel_models");
        b.Property(m => m.PublicModelId).HasMaxLength(100).IsRequired();
        b.Property(m => m.UpstreamModelId).HasMaxLength(200).IsRequired();
        b.HasIndex(m => new { m.ChannelId, m.PublicModelId }).IsUnique();
    }
}
