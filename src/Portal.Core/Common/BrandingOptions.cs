using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Common;

/// <summary>Bound from <c>Branding</c> (the settings page overrides it): how the portal names and shows itself.</summary>
public sealed class BrandingOptions
{
    public const string Section = "Branding";

    /// <summary>The platform's name: top bar, landing page, and the invoice and statement PDFs.</summary>
    [Required, MaxLength(60)]
    public string PlatformName { get; set; } = "Portal";

    /// <summary>
    /// The logo: a path on this site (<c>/assets/brand/logo.svg</c>) or the image itself as a <c>data:image/png;base64,…</c>
    /// URL (the settings page uploads it so); empty = the bundled logo. The content security policy allows no other hosts.
    /// </summary>
    [MaxLength(MaxLogoUrlLength)]
    public string LogoUrl { get; set; } = "";

    public const string DefaultLogo = "/assets/brand/logo.svg";

    /// <summary>The largest logo image, in bytes.</summary>
    public const int MaxLogoBytes = 64 * 1024;

    public const int MaxLogoUrlLength = 100_000;

    public string Logo => string.IsNullOrWhiteSpace(LogoUrl) ? DefaultLogo : LogoUrl.Trim();

    /// <summary>Whether <paramref name="url"/> may be the logo: empty, a path on this site (not <c>//host</c>), or a PNG, JPEG or WebP data URL of at most <see cref="MaxLogoBytes"/>.</summary>
    public static bool IsAcceptableLogo(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return true;
        url = url.Trim();
        if (url.StartsWith('/')) return !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\') && Uri.IsWellFormedUriString(url, UriKind.Relative);
        foreach (var type in ImageTypes)
        {
            var prefix = $"data:{type};base64,";
            if (!url.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var bytes = new byte[MaxLogoBytes];
            return Convert.TryFromBase64String(url[prefix.Length..], bytes, out var length) && ImageTypeOf(bytes.AsSpan(0, length)) == type;
        }
        return false;
    }

    /// <summary>The image type that <paramref name="bytes"/> start like (PNG, JPEG, WebP), or null.</summary>
    public static string? ImageTypeOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/webp"];
}
