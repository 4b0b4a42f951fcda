using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Common.Storage;

/// <summary>Bound from <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Directory for uploaded files, relative to the content root unless absolute. Keep it outside wwwroot.</summary>
    [Required]
    public string Path { get; set; } = "data/files";
}
