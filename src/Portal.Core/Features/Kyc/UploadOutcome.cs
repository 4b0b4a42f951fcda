using System.Diagnostics.CodeAnalysis;
using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

/// <summary>What <see cref="DocumentSniffer.CopyLimitedAsync"/> did: the stored file's facts, or why it stopped.</summary>
public sealed record UploadOutcome
{
    private UploadOutcome(DocumentType? type, long length, string? sha256, Error? error)
    {
        Type = type;
        Length = length;
        Sha256 = sha256;
        Error = error;
    }

    /// <summary>The type decided from the content; null on failure.</summary>
    public DocumentType? Type { get; }

    /// <summary>Bytes copied on success; bytes read before stopping on failure.</summary>
    public long Length { get; }

    /// <summary>Lower-case hex SHA-256 of the whole file; null on failure.</summary>
    public string? Sha256 { get; }

    public Error? Error { get; }

    [MemberNotNullWhen(true, nameof(Type), nameof(Sha256))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    internal static UploadOutcome Success(DocumentType type, long length, string sha256) =>
        new(type, length, sha256, null);

    internal static UploadOutcome Failure(Error error, long bytesRead) =>
        new(null, bytesRead, null, error);
}
