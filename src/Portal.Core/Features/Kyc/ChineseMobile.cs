namespace Portal.Core.Features.Kyc;

/// <summary>Mainland China mobile numbers: 11 digits, 1[3-9]xxxxxxxxx.</summary>
public static class ChineseMobile
{
    /// <summary>
    /// Removes white space and hyphens and a leading +86 or 86 country code, giving the 11-digit
    /// national number for a valid input. Invalid input is returned cleaned but otherwise as is.
    /// </summary>
    public static string Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return string.Empty;
        }

        var digits = string.Concat(value.Where(c => !char.IsWhiteSpace(c) && c != '-'));
        if (digits.StartsWith("+86", StringComparison.Ordinal))
        {
            return digits[3..];
        }

        // Without the '+', "86" is a country code only in front of a full 11-digit number.
        return digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal) ? digits[2..] : digits;
    }

    public static bool IsValid(string? value)
    {
        var number = Normalize(value);
        return number.Length == 11
            && number[0] == '1'
            && number[1] is >= '3' and <= '9'
            && !number.AsSpan().ContainsAnyExceptInRange('0', '9');
    }
}
