namespace Portal.Core.Features.Kyc;

/// <summary>The file types accepted for KYC documents, as decided by <see cref="DocumentSniffer"/>.</summary>
public enum DocumentType
{
    Jpeg,
    Png,
    Pdf,
}

public static class DocumentTypeExtensions
{
    /// <summary>The MIME type to store and serve the file with (never the one the browser sent).</summary>
    public static string ContentType(this DocumentType type) => type switch
    {
        DocumentType.Jpeg => "image/jpeg",
        DocumentType.Png => "image/png",
        DocumentType.Pdf => "application/pdf",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The extension, with its dot, to store the file under (never the uploaded name's).</summary>
    public static string FileExtension(this DocumentType type) => type switch
    {
        DocumentType.Jpeg => ".jpg",
        DocumentType.Png => ".png",
        DocumentType.Pdf => ".pdf",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
