using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Common.Storage;

/// <summary>
/// A file of the <see cref="DatabaseFileStore"/>: its facts here, its content in <see cref="StoredFileChunk"/> rows.
/// A row without <see cref="Key"/> is an upload in progress (or one abandoned by a crash); only committed files have a key.
/// </summary>
public sealed class StoredFile
{
    public Guid Id { get; set; }

    /// <summary>The key the store hands out (32 hex characters and an extension), set on commit.</summary>
    public string? Key { get; set; }

    public long Length { get; set; }

    /// <summary>SHA-256 of the content, lower-case hex, set on commit and checked when the file is read to its end.</summary>
    public string? Sha256 { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CommittedAt { get; set; }
}

/// <summary>One piece (at most <see cref="DatabaseFileStore.ChunkSize"/> bytes) of a <see cref="StoredFile"/>, numbered from 0.</summary>
public sealed class StoredFileChunk
{
    public Guid FileId { get; set; }

    public int Index { get; set; }

    public byte[] Data { get; set; } = [];
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> builder)
    {
        builder.ToTable("stored_files", t => t.HasCheckConstraint("ck_stored_files_length", "length >= 0"));
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Key).HasMaxLength(48);
        builder.HasIndex(f => f.Key).IsUnique();
        builder.Property(f => f.Sha256).HasMaxLength(64);
        builder.HasIndex(f => f.CreatedAt);
    }
}

internal sealed class StoredFileChunkConfiguration : IEntityTypeConfiguration<StoredFileChunk>
{
    public void Configure(EntityTypeBuilder<StoredFileChunk> builder)
    {
        builder.ToTable("stored_file_chunks");
        builder.HasKey(c => new { c.FileId, c.Index });
        builder.HasOne<StoredFile>().WithMany().HasForeignKey(c => c.FileId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(c => c.Data).IsRequired();
    }
}
