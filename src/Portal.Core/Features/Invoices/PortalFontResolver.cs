using PdfSharp.Fonts;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Serves the one font the invoice and statement PDFs use (WenQuanYi Micro Hei, a single TrueType face — PDFsharp
/// cannot read .ttc collections) to PDFsharp, which on Linux finds no system fonts by itself. Every family name
/// resolves to that face; bold is simulated because the font has no bold weight.
/// </summary>
public sealed class PortalFontResolver : IFontResolver
{
    /// <summary>The family name the renderers ask for.</summary>
    public const string FamilyName = "Portal Sans CJK";

    private const string FaceName = "wqy-microhei";

    private static readonly Lock InstallLock = new();
    private static PortalFontResolver? installed;

    private readonly byte[] fontBytes;

    private PortalFontResolver(byte[] fontBytes) => this.fontBytes = fontBytes;

    /// <summary>
    /// Registers the font with PDFsharp's process-wide <see cref="GlobalFontSettings.FontResolver"/>. Safe to call
    /// many times and from many threads: the first call wins, later calls with the same font are no-ops.
    /// </summary>
    /// <param name="trueTypeFont">The bytes of a single-face .ttf file.</param>
    /// <exception cref="ArgumentException">The bytes are empty or are a TrueType collection.</exception>
    /// <exception cref="InvalidOperationException">A different font was installed before; PDFsharp allows one resolver per process.</exception>
    public static void Install(byte[] trueTypeFont)
    {
        ArgumentNullException.ThrowIfNull(trueTypeFont);
        if (trueTypeFont.Length < 12)
            throw new ArgumentException("The font file is empty or truncated.", nameof(trueTypeFont));
        if (trueTypeFont.AsSpan(0, 4).SequenceEqual("ttcf"u8))
            throw new ArgumentException("PDFsharp cannot read TrueType collections (.ttc); pass a single .ttf face.", nameof(trueTypeFont));

        lock (InstallLock)
        {
            if (installed is not null)
            {
                if (!ReferenceEquals(installed.fontBytes, trueTypeFont) && !installed.fontBytes.AsSpan().SequenceEqual(trueTypeFont))
                    throw new InvalidOperationException("A different font was already installed; PDFsharp's font resolver can be set only once per process.");
                return;
            }

            var resolver = new PortalFontResolver(trueTypeFont.ToArray());
            GlobalFontSettings.FontResolver = resolver;
            installed = resolver;
        }
    }

    /// <inheritdoc />
    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(FaceName, mustSimulateBold: bold, mustSimulateItalic: italic);

    /// <inheritdoc />
    public byte[] GetFont(string faceName) => fontBytes;
}
