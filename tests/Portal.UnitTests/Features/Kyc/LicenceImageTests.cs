using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Portal.Core.Features.Kyc;

namespace Portal.UnitTests.Features.Kyc;

public class LicenceImageTests
{
    private const string CompanyName = "福州示例科技有限公司";
    private const string CreditCode = "91350100M000100Y43";

    private sealed record Chunk(string Type, byte[] Data);

    [Fact]
    public void Generated_licence_is_sniffed_as_png()
    {
        var png = LicenceImage.GeneratePng(CompanyName, CreditCode);

        Assert.Equal(DocumentType.Png, DocumentSniffer.Detect(png));
    }

    [Fact]
    public void Generated_png_is_well_formed()
    {
        var chunks = ReadChunks(LicenceImage.GeneratePng(CompanyName, CreditCode));

        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Equal("IEND", chunks[^1].Type);
        Assert.Empty(chunks[^1].Data);
        Assert.Contains(chunks, c => c.Type == "IDAT");

        var header = chunks[0].Data;
        Assert.Equal(13, header.Length);
        Assert.Equal(600u, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(0)));
        Assert.Equal(400u, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)));
        Assert.Equal([8, 2, 0, 0, 0], header[8..]); // 8-bit RGB, deflate, filter 0, not interlaced
    }

    [Fact]
    public void Generated_png_decodes_to_a_cream_page_with_a_red_border()
    {
        var pixels = Decode(LicenceImage.GeneratePng(CompanyName, CreditCode), out var width, out var height);

        Assert.Equal((0xFB, 0xF7, 0xEE), pixels(0, 0));                        // page outside the border
        Assert.Equal((0xC8, 0x10, 0x2E), pixels(10, 10));                      // border
        Assert.Equal((0xC8, 0x10, 0x2E), pixels(width - 12, height - 12));
        Assert.Equal((0xC8, 0x10, 0x2E), pixels(width / 2, 60));               // emblem
        Assert.Equal((0xFB, 0xF7, 0xEE), pixels(40, height / 2));              // page inside the border
    }

    [Fact]
    public void Company_and_code_are_recorded_in_a_text_chunk_marked_as_demo()
    {
        var text = ReadChunks(LicenceImage.GeneratePng(CompanyName, CreditCode)).Single(c => c.Type == "iTXt");
        var content = Encoding.UTF8.GetString(text.Data);

        Assert.StartsWith("Description\0", content);
        Assert.Contains("DEMO", content);
        Assert.Contains(CompanyName, content);
        Assert.Contains(CreditCode, content);
    }

    [Fact]
    public void Same_company_gives_the_same_image_and_another_company_a_different_one()
    {
        var first = LicenceImage.GeneratePng(CompanyName, CreditCode);

        Assert.Equal(first, LicenceImage.GeneratePng(CompanyName, CreditCode));
        Assert.NotEqual(IdatData(first), IdatData(LicenceImage.GeneratePng("另一家公司", "91110000600037341L")));
    }

    [Fact]
    public void Generated_png_is_small()
    {
        Assert.InRange(LicenceImage.GeneratePng(CompanyName, CreditCode).Length, 100, 50_000);
    }

    /// <summary>Splits a PNG into chunks, checking the signature and every chunk's CRC.</summary>
    private static List<Chunk> ReadChunks(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);

        var chunks = new List<Chunk>();
        var offset = 8;
        while (offset < png.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            var typeAndData = png.AsSpan(offset + 4, 4 + length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));

            Assert.Equal(BitwiseCrc32(typeAndData), crc);
            chunks.Add(new Chunk(Encoding.ASCII.GetString(typeAndData[..4]), typeAndData[4..].ToArray()));
            offset += 12 + length;
        }

        Assert.Equal(png.Length, offset);
        return chunks;
    }

    private static byte[] IdatData(byte[] png) =>
        ReadChunks(png).Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();

    /// <summary>Inflates the image data and returns a pixel reader; checks every row uses filter 0.</summary>
    private static Func<int, int, (int R, int G, int B)> Decode(byte[] png, out int width, out int height)
    {
        var header = ReadChunks(png)[0].Data;
        var w = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(0));
        var h = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));

        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(IdatData(png)), CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        var stride = 1 + w * 3;
        Assert.Equal(h * stride, raw.Length);
        for (var y = 0; y < h; y++)
        {
            Assert.Equal(0, raw[y * stride]);
        }

        width = w;
        height = h;
        return (x, y) =>
        {
            var i = y * stride + 1 + x * 3;
            return (raw[i], raw[i + 1], raw[i + 2]);
        };
    }

    // Deliberately not the table-driven version the code under test uses.
    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
