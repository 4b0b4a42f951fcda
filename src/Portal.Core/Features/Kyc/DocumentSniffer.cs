using System.Security.Cryptography;
using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Decides a document's type from its first bytes. The uploaded file name and the browser's
/// content type are never trusted: a renamed executable stays an executable.
/// </summary>
public static class DocumentSniffer
{
    /// <summary>How many leading bytes <see cref="Detect"/> needs to tell every accepted type apart.</summary>
    public const int HeaderLength = 8;

    private const int ChunkSize = 81_920;

    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> PdfMagic => "%PDF-"u8;

    /// <summary>The type whose signature starts <paramref name="header"/>, or null for anything else.</summary>
    public static DocumentType? Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith(JpegMagic))
        {
            return DocumentType.Jpeg;
        }

        if (header.StartsWith(PngMagic))
        {
            return DocumentType.Png;
        }

        if (header.StartsWith(PdfMagic))
        {
            return DocumentType.Pdf;
        }

        return null;
    }

    /// <summary>
    /// Streams <paramref name="source"/> to <paramref name="destination"/> in chunks while hashing
    /// it, refusing content that is empty, not JPEG/PNG/PDF, or longer than
    /// <paramref name="maxBytes"/>. Reads at most <paramref name="maxBytes"/> + 1 bytes, so an
    /// oversized upload is cut off without being read to its end, and writes nothing until the
    /// type is known and never more than <paramref name="maxBytes"/> bytes.
    /// </summary>
    /// <remarks>
    /// On failure the destination may hold a partial file: the caller must delete it (or write to
    /// a temporary location and move it into place only on success). Neither stream is disposed.
    /// </remarks>
    public static async Task<UploadOutcome> CopyLimitedAsync(
        Stream source, Stream destination, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);

        var buffer = new byte[ChunkSize];
        // One byte past the limit is enough to know the upload is too large.
        var readLimit = maxBytes + 1;

        // A read may return fewer bytes than asked for, so fill the header before sniffing.
        var headerTarget = (int)Math.Min(HeaderLength, readLimit);
        var total = 0L;
        while (total < headerTarget)
        {
            var read = await source.ReadAsync(buffer.AsMemory((int)total, headerTarget - (int)total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total == 0)
        {
            return Failure(KycErrorCodes.DocumentEmpty, KycMessages.English.DocumentEmpty(), total);
        }

        if (total > maxBytes)
        {
            return TooLarge(maxBytes, total);
        }

        if (Detect(buffer.AsSpan(0, (int)total)) is not { } type)
        {
            return Failure(KycErrorCodes.DocumentUnsupportedType, KycMessages.English.DocumentUnsupportedType(), total);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var pending = (int)total;
        while (true)
        {
            hash.AppendData(buffer, 0, pending);
            await destination.WriteAsync(buffer.AsMemory(0, pending), cancellationToken);

            var request = (int)Math.Min(buffer.Length, readLimit - total);
            pending = await source.ReadAsync(buffer.AsMemory(0, request), cancellationToken);
            if (pending == 0)
            {
                break;
            }

            total += pending;
            if (total > maxBytes)
            {
                return TooLarge(maxBytes, total);
            }
        }

        await destination.FlushAsync(cancellationToken);
        return UploadOutcome.Success(type, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static UploadOutcome TooLarge(long maxBytes, long bytesRead) =>
        Failure(KycErrorCodes.DocumentTooLarge, KycMessages.English.DocumentTooLarge(maxBytes), bytesRead);

    private static UploadOutcome Failure(string code, string message, long bytesRead) =>
        UploadOutcome.Failure(new Error(code, message), bytesRead);
}
