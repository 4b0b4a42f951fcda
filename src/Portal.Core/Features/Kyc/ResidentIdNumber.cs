using System.Globalization;
using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// The 18-character citizen identification number (居民身份证号码) of GB 11643-1999: address
/// code (6 digits), date of birth (YYYYMMDD), sequence (3 digits, odd for men) and an
/// ISO 7064 MOD 11-2 check character (a digit or X).
/// </summary>
/// <remarks>
/// Passing these checks proves the number is well formed, not that it belongs to the person
/// submitting it; matching it to the name is for the manual review of the ID card images.
/// </remarks>
public static class ResidentIdNumber
{
    public const int Length = 18;

    /// <summary>The year 1900 is the lower bound for a date of birth; earlier ones are typos.</summary>
    public const int MinBirthYear = 1900;

    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    private const string CheckCharacters = "10X98765432";

    // Province-level divisions of GB/T 2260, plus 71 Taiwan, 81 Hong Kong and 82 Macao.
    private static readonly HashSet<int> ProvinceCodes =
    [
        11, 12, 13, 14, 15,
        21, 22, 23,
        31, 32, 33, 34, 35, 36, 37,
        41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54,
        61, 62, 63, 64, 65,
        71, 81, 82,
    ];

    /// <summary>Trims and upper-cases a trailing 'x', the usual way the check character is mistyped.</summary>
    public static string Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return string.Empty;
        }

        var trimmed = value.Trim();
        return trimmed.EndsWith('x') ? trimmed[..^1] + "X" : trimmed;
    }

    /// <summary>
    /// Checks a number after <see cref="Normalize"/>; returns the first problem found, or null
    /// when the number is valid. <paramref name="today"/> is the date in China (see
    /// <see cref="Common.ChinaTime.Today"/>) and bounds the date of birth.
    /// </summary>
    public static Error? Validate(string? value, DateOnly today, IKycMessages? messages = null)
    {
        messages ??= KycMessages.English;
        var number = Normalize(value);

        if (number.Length == 0)
        {
            return new Error(KycErrorCodes.IdNumberRequired, messages.IdNumberRequired());
        }

        if (number.Length != Length)
        {
            return new Error(KycErrorCodes.IdNumberLength, messages.IdNumberLength());
        }

        if (number.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9') || !(char.IsAsciiDigit(number[17]) || number[17] == 'X'))
        {
            return new Error(KycErrorCodes.IdNumberFormat, messages.IdNumberFormat());
        }

        if (!ProvinceCodes.Contains(int.Parse(number.AsSpan(0, 2), CultureInfo.InvariantCulture)))
        {
            return new Error(KycErrorCodes.IdNumberRegion, messages.IdNumberRegion());
        }

        if (ParseBirthDate(number) is not { } birthDate || birthDate.Year < MinBirthYear || birthDate > today)
        {
            return new Error(KycErrorCodes.IdNumberBirthDate, messages.IdNumberBirthDate());
        }

        if (ComputeCheckCharacter(number[..17]) != number[17..])
        {
            return new Error(KycErrorCodes.IdNumberCheckCharacter, messages.IdNumberCheckCharacter());
        }

        return null;
    }

    /// <summary>Computes the 18th character (a digit or X) from the first 17 digits.</summary>
    /// <exception cref="ArgumentException">Not 17 ASCII digits.</exception>
    public static string ComputeCheckCharacter(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != Length - 1 || first17.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException($"Expected {Length - 1} digits.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11].ToString();
    }

    /// <summary>
    /// True when 18 characters (17 ASCII digits, then a digit or <c>X</c>/<c>x</c>) carry a valid province code, date of birth
    /// (from <see cref="MinBirthYear"/> on) and check character. Allocation-free, for scanning text (the relay's PII detection).
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> number)
    {
        if (number.Length != Length || number[..17].ContainsAnyExceptInRange('0', '9')) return false;
        var last = number[17] == 'x' ? 'X' : number[17];
        if (!char.IsAsciiDigit(last) && last != 'X') return false;
        if (!HasIdShape(number)) return false;
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (number[i] - '0') * Weights[i];
        return CheckCharacters[sum % 11] == last;
    }

    /// <summary>
    /// True when the first 14 characters are digits with a province code and a date of birth from <see cref="MinBirthYear"/>
    /// on: the shape of an ID number, whatever its check character (so a scanner does not take a mistyped one for something else).
    /// </summary>
    public static bool HasIdShape(ReadOnlySpan<char> number)
    {
        if (number.Length < 14 || number[..14].ContainsAnyExceptInRange('0', '9')) return false;
        if (!ProvinceCodes.Contains((number[0] - '0') * 10 + (number[1] - '0'))) return false;
        var year = int.Parse(number.Slice(6, 4), CultureInfo.InvariantCulture);
        var month = int.Parse(number.Slice(10, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(number.Slice(12, 2), CultureInfo.InvariantCulture);
        return year >= MinBirthYear && year <= 2100 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary>
    /// The date of birth in a well-formed number, or null when characters 7-14 are not a real
    /// date. Does not check anything else; call <see cref="Validate"/> first.
    /// </summary>
    public static DateOnly? GetBirthDate(string? value)
    {
        var number = Normalize(value);
        return number.Length == Length ? ParseBirthDate(number) : null;
    }

    private static DateOnly? ParseBirthDate(string number) =>
        DateOnly.TryParseExact(number.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;
}
