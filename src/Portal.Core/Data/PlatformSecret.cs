using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Data;

/// <summary>
/// A secret the platform generated for itself (e.g. the key of the 身份证 number hash), stored encrypted with Data
/// Protection, whose key ring is itself encrypted with a certificate kept outside the database. Generated once, by
/// whichever replica needs it first; never changed.
/// </summary>
public sealed class PlatformSecret
{
    /// <summary>What the secret is for, e.g. <c>kyc.id-number-hash</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The secret's bytes, base64, protected with Data Protection (purpose <c>Portal.PlatformSecret.{Name}</c>).</summary>
    public string ProtectedValue { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class PlatformSecretConfiguration : IEntityTypeConfiguration<PlatformSecret>
{
    public void Configure(EntityTypeBuilder<PlatformSecret> b)
    {
        b.HasKey(s => s.Name);
        b.Property(s => s.Name).HasMaxLength(64);
        b.Property(s => s.ProtectedValue).HasMaxLength(4096).IsRequired();
    }
}
