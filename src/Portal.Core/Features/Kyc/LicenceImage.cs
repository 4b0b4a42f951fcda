using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Draws a stand-in business licence for demo data: a 600×400 PNG with a cream background, a red
/// double border, an emblem and grey blocks where the text would be. It carries no text in its
/// pixels; the company name and credit code are in an iTXt chunk, marked as a demo.
/// </summary>
public static class LicenceImage
{
    public const int Width = 600;
    public const int Height = 400;

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = BuildCrcTable();

    private readonly record struct Rgb(byte R, byte G, byte B);

    private static readonly Rgb Paper = new(0xFB, 0xF7, 0xEE);
    private static readonly Rgb Red = new(0xC8, 0x10, 0x2E);
    private static readonly Rgb Ink = new(0x9A, 0x9A, 0x9A);
    private static readonly Rgb Dark = new(0x33, 0x33, 0x33);

    /// <summary>
    /// Same inputs, same bytes: the grey blocks and the square code pattern are derived from a
    /// hash of the name and code, so different demo companies get visibly different licences.
    /// </summary>
    public static byte[] GeneratePng(string companyName, string creditCode)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        ArgumentNullException.ThrowIfNull(creditCode);

        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(companyName + "\n" + creditCode));
        var pixels = Draw(seed);

        using var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", Header());
        WriteChunk(png, "iTXt", Description($"DEMO business licence, not a real document. {companyName} {creditCode}"));
        WriteChunk(png, "IDAT", Compress(pixels));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>CRC-32 (ISO 3309, as PNG uses it) of <paramref name="data"/>.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc = ~crc;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static Rgb[,] Draw(byte[] seed)
    {
        var image = new Rgb[Height, Width];
        Fill(image, 0, 0, Width, Height, Paper);

        // Double red border.
        Frame(image, 8, 8, Width - 16, Height - 16, 10, Red);
        Frame(image, 24, 24, Width - 48, Height - 48, 2, Red);

        // Emblem at the top centre and the title bar under it.
        Fill(image, Width / 2 - 22, 40, 44, 44, Red);
        Fill(image, Width / 2 - 80, 96, 160, 18, Dark);

        // Six "lines of text" whose lengths come from the seed.
        for (var line = 0; line < 6; line++)
        {
            Fill(image, 60, 140 + line * 32, 70, 12, Ink);
            Fill(image, 150, 140 + line * 32, 80 + seed[line] % 100, 12, Dark);
        }

        // A 10×10 square code pattern, bottom right, one module per seed bit.
        const int Module = 8;
        const int Modules = 10;
        var left = Width - 60 - Modules * Module;
        var top = Height - 60 - Modules * Module;
        for (var i = 0; i < Modules * Modules; i++)
        {
            if ((seed[i / 8 % seed.Length] >> (i % 8) & 1) == 1)
            {
                Fill(image, left + i % Modules * Module, top + i / Modules * Module, Module, Module, Dark);
            }
        }

        // The registration authority's seal, left of the pattern.
        Frame(image, left - 120, top - 10, 90, 90, 4, Red);
        return image;
    }

    private static void Fill(Rgb[,] image, int x, int y, int width, int height, Rgb colour)
    {
        for (var row = y; row < y + height; row++)
        {
            for (var column = x; column < x + width; column++)
            {
                image[row, column] = colour;
            }
        }
    }

    private static void Frame(Rgb[,] image, int x, int y, int width, int height, int thickness, Rgb colour)
    {
        Fill(image, x, y, width, thickness, colour);
        Fill(image, x, y + height - thickness, width, thickness, colour);
        Fill(image, x, y, thickness, height, colour);
        Fill(image, x + width - thickness, y, thickness, height, colour);
    }

    private static byte[] Header()
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(0), Width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour RGB
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method 0
        header[12] = 0; // no interlace
        return header;
    }

    private static byte[] Description(string text)
    {
        // iTXt: keyword, NUL, compression flag, method, language tag NUL, translated keyword NUL, UTF-8 text.
        using var data = new MemoryStream();
        data.Write("Description"u8);
        data.Write([0, 0, 0, 0, 0]);
        data.Write(Encoding.UTF8.GetBytes(text));
        return data.ToArray();
    }

    private static byte[] Compress(Rgb[,] image)
    {
        var row = new byte[1 + Width * 3]; // leading 0 = filter type None
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < Height; y++)
            {
                for (var x = 0; x < Width; x++)
                {
                    var pixel = image[y, x];
                    row[1 + x * 3] = pixel.R;
                    row[2 + x * 3] = pixel.G;
                    row[3 + x * 3] = pixel.B;
                }

                zlib.Write(row);
            }
        }

        return compressed.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)data.Length);
        png.Write(buffer);

        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);

        BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32(data, Crc32(typeBytes)));
        png.Write(buffer);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
