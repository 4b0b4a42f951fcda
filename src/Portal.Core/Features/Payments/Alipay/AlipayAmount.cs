using System.Globalization;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Converts between the app's micro-yuan <see cref="long"/> and Alipay's "0.00" yuan strings.
/// Integer arithmetic only: binary floating-point cannot represent 0.10 and would drift amounts by a fen.
/// </summary>
public static class AlipayAmount
{
    /// <summary>Micro-yuan in one yuan.</summary>
    public const long MicroYuanPerYuan = 1_000_000;

    /// <summary>Micro-yuan in one fen, Alipay's smallest unit.</summary>
    public const long MicroYuanPerFen = 10_000;

    /// <summary>Formats a non-negative whole-fen amount as invariant "0.00" yuan.</summary>
    /// <exception cref="ArgumentException">Negative, or not a whole number of fen (Alipay would round or reject it).</exception>
    public static string Format(long microYuan)
    {
        if (microYuan < 0)
        {
            throw new ArgumentException($"Alipay amounts cannot be negative (got {microYuan} micro-yuan).", nameof(microYuan));
        }

        return FormatSigned(microYuan);
    }

    /// <summary>
    /// Strictly parses a yuan amount: ASCII digits, optionally '.' and one or two more digits.
    /// Signs, exponents, spaces, separators and more than two decimals are refused rather than guessed at.
    /// </summary>
    public static bool TryParse(string? text, out long microYuan) => TryParseCore(text, allowNegative: false, out microYuan);

    /// <summary>Bill files show refunds as negative amounts; only the bill code accepts a sign.</summary>
    internal static string FormatSigned(long microYuan)
    {
        if (microYuan % MicroYuanPerFen != 0)
        {
            throw new ArgumentException($"{microYuan} micro-yuan is not a whole number of fen.", nameof(microYuan));
        }

        var sign = microYuan < 0 ? "-" : "";
        // Math.Abs(long.MinValue) would overflow, but long.MinValue is not a whole fen so it never gets here.
        var abs = Math.Abs(microYuan);
        var yuan = abs / MicroYuanPerYuan;
        var fen = abs % MicroYuanPerYuan / MicroYuanPerFen;
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{yuan}.{fen:00}");
    }

    internal static bool TryParseSigned(string? text, out long microYuan) => TryParseCore(text, allowNegative: true, out microYuan);

    private static bool TryParseCore(string? text, bool allowNegative, out long microYuan)
    {
        microYuan = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var span = text.AsSpan();
        var negative = false;
        if (allowNegative && span[0] == '-')
        {
            negative = true;
            span = span[1..];
        }

        var dot = span.IndexOf('.');
        var whole = dot < 0 ? span : span[..dot];
        var fraction = dot < 0 ? ReadOnlySpan<char>.Empty : span[(dot + 1)..];
        if (whole.IsEmpty || !IsAsciiDigits(whole))
        {
            return false;
        }

        if (dot >= 0 && (fraction.IsEmpty || fraction.Length > 2 || !IsAsciiDigits(fraction)))
        {
            return false;
        }

        try
        {
            long yuan = 0;
            foreach (var c in whole)
            {
                yuan = checked((yuan * 10) + (c - '0'));
            }

            long fen = 0;
            for (var i = 0; i < 2; i++)
            {
                fen = (fen * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
            }

            var value = checked((yuan * MicroYuanPerYuan) + (fen * MicroYuanPerFen));
            microYuan = negative ? -value : value;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    // char.IsDigit accepts Arabic-Indic and full-width digits, which Alipay never sends.
    private static bool IsAsciiDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
