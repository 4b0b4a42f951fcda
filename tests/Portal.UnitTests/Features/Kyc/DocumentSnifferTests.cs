using System.Security.Cryptography;
using System.Text;
using Portal.Core.Features.Kyc;

namespace Portal.UnitTests.Features.Kyc;

public class DocumentSnifferTests
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46];
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D];
    private static readonly byte[] Pdf = "%PDF-1.7\n%âãÏÓ\n"u8.ToArray();
    private static readonly byte[] Exe = [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00];

    [Fact]
    public void Jpeg_png_and_pdf_are_recognised_by_their_signatures()
    {
        Assert.Equal(DocumentType.Jpeg, DocumentSniffer.Detect(Jpeg));
        Assert.Equal(DocumentType.Png, DocumentSniffer.Detect(Png));
        Assert.Equal(DocumentType.Pdf, DocumentSniffer.Detect(Pdf));
    }

    [Fact]
    public void Executable_is_refused_whatever_it_is_called()
    {
        // "licence.png" is only what the browser claims; the sniffer never sees a name.
        Assert.Null(DocumentSniffer.Detect(Exe));
    }

    [Theory]
    [InlineData("<!DOCTYPE html><html><body>")]
    [InlineData("<html><script>alert(1)</script>")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\">")]
    [InlineData("GIF89a\u0001\u0000")]
    [InlineData(" %PDF-1.7")]          // signature not at the start
    [InlineData("%PDF")]               // incomplete signature
    [InlineData("PK\u0003\u0004\u0014\u0000")] // ZIP, and so DOCX
    public void Other_content_is_refused(string content)
    {
        Assert.Null(DocumentSniffer.Detect(Encoding.Latin1.GetBytes(content)));
    }

    [Fact]
    public void Empty_and_truncated_headers_are_refused()
    {
        Assert.Null(DocumentSniffer.Detect([]));
        Assert.Null(DocumentSniffer.Detect([0xFF, 0xD8]));
        Assert.Null(DocumentSniffer.Detect(Png.AsSpan(0, 7)));
    }

    [Theory]
    [InlineData(DocumentType.Jpeg, "image/jpeg", ".jpg")]
    [InlineData(DocumentType.Png, "image/png", ".png")]
    [InlineData(DocumentType.Pdf, "application/pdf", ".pdf")]
    public void Each_type_has_a_content_type_and_extension(DocumentType type, string contentType, string extension)
    {
        Assert.Equal(contentType, type.ContentType());
        Assert.Equal(extension, type.FileExtension());
    }

    [Fact]
    public async Task Accepted_upload_is_copied_whole_with_its_sha256()
    {
        var content = Enumerable.Range(0, 300_000).Select(i => GeneratedStream.ByteAt(Pdf, i)).ToArray();
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(new MemoryStream(content), destination, 1_000_000);

        Assert.True(outcome.Succeeded);
        Assert.Equal(DocumentType.Pdf, outcome.Type);
        Assert.Equal(content.Length, outcome.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), outcome.Sha256);
        Assert.Equal(content, destination.ToArray());
    }

    [Fact]
    public async Task Upload_of_exactly_the_limit_is_accepted()
    {
        var source = new GeneratedStream(Jpeg, 100_000);
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(source, destination, 100_000);

        Assert.True(outcome.Succeeded);
        Assert.Equal(100_000, outcome.Length);
        Assert.Equal(100_000, destination.Length);
    }

    [Fact]
    public async Task Upload_one_byte_over_the_limit_is_too_large()
    {
        var source = new GeneratedStream(Jpeg, 100_001);
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(source, destination, 100_000);

        Assert.False(outcome.Succeeded);
        Assert.Equal("Kyc.Document.TooLarge", outcome.Error.Code);
    }

    [Fact]
    public async Task Oversized_upload_stops_reading_just_past_the_limit()
    {
        const long limit = 5 * 1024 * 1024;
        var source = new GeneratedStream(Png, 10L * 1024 * 1024 * 1024); // 10 GiB
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(source, destination, limit);

        Assert.Equal("Kyc.Document.TooLarge", outcome.Error?.Code);
        Assert.Equal(limit + 1, source.BytesRead);
        Assert.InRange(destination.Length, 0, limit);
        Assert.Null(outcome.Type);
        Assert.Null(outcome.Sha256);
    }

    [Fact]
    public async Task Empty_upload_is_refused()
    {
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(new MemoryStream(), destination, 1000);

        Assert.Equal("Kyc.Document.Empty", outcome.Error?.Code);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task Wrong_type_is_refused_after_reading_only_the_header()
    {
        var source = new GeneratedStream(Exe, 50_000_000);
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(source, destination, 100_000_000);

        Assert.Equal("Kyc.Document.UnsupportedType", outcome.Error?.Code);
        Assert.Equal(DocumentSniffer.HeaderLength, source.BytesRead);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task Header_split_over_many_small_reads_is_still_recognised()
    {
        var source = new GeneratedStream(Png, 10_000, maxReadSize: 1);
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(source, destination, 10_000);

        Assert.Equal(DocumentType.Png, outcome.Type);
        Assert.Equal(10_000, outcome.Length);
    }

    [Fact]
    public async Task File_shorter_than_a_signature_is_refused()
    {
        using var destination = new MemoryStream();

        var outcome = await DocumentSniffer.CopyLimitedAsync(new MemoryStream([0xFF, 0xD8]), destination, 1000);

        Assert.Equal("Kyc.Document.UnsupportedType", outcome.Error?.Code);
    }

    [Fact]
    public async Task Cancelled_upload_throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DocumentSniffer.CopyLimitedAsync(new GeneratedStream(Png, 1000), Stream.Null, 1000, cancelled.Token));
    }

    [Fact]
    public async Task Non_positive_limit_is_a_bug()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            DocumentSniffer.CopyLimitedAsync(new MemoryStream(Png), Stream.Null, 0));
    }
}
