using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Common.Storage;

public enum StorageProvider
{
    /// <summary>A directory on this machine (<c>Storage:Path</c>): the embedded default.</summary>
    Local,

    /// <summary>The portal's database, in chunks: every replica on the database sees every file.</summary>
    Database,
}

/// <summary>Bound from <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Where files live. Unset: <see cref="StorageProvider.Database"/> on PostgreSQL, <see cref="StorageProvider.Local"/> on SQLite.</summary>
    public StorageProvider? Provider { get; set; }

    /// <summary>Directory for <see cref="StorageProvider.Local"/>, relative to the content root unless absolute. Keep it outside wwwroot.</summary>
    [Required]
    public string Path { get; set; } = "data/files";
}
