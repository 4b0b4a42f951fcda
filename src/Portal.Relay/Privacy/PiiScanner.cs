using System.Buffers;
using System.Net;
using Portal.Core.Features.DataProtection;
using Portal.Core.Features.Kyc;

namespace Portal.Relay.Privacy;

/// <summary>One piece of personal information found in a text: where it is and what it is (never kept beyond the request).</summary>
public readonly record struct PiiFinding(int Start, int Length, PiiKind Kind);

/// <summary>
/// Finds personal information in text (DESIGN §10) in one forward pass without regular expressions: the text is skipped
/// with a vectorised search to the next ASCII letter, digit, <c>+</c> or bracket, and each candidate token is read at most
/// a bounded number of times (every matcher looks at most <see cref="MaxCandidate"/> characters ahead), so hostile input
/// costs linear time. Checksums decide where the identifier has one (身份证号 GB 11643, 统一社会信用代码 GB 32100, bank
/// cards Luhn); the rest is shape plus word boundaries. Allocates nothing but the findings list it appends to.
/// </summary>
public static class PiiScanner
{
    /// <summary>The longest stretch any matcher reads from one start (an email's local part and domain).</summary>
    private const int MaxCandidate = 320;

    private static readonly SearchValues<char> Starts = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+(（");

    private static readonly SearchValues<char> LocalPart = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._%+-");

    /// <summary>Appends every finding in <paramref name="text"/> to <paramref name="findings"/>, in order, not overlapping.</summary>
    public static void Scan(ReadOnlySpan<char> text, List<PiiFinding> findings)
    {
        var i = 0;
        while (i < text.Length)
        {
            var next = text[i..].IndexOfAny(Starts);
            if (next < 0) return;
            i += next;
            if (!BoundaryBefore(text, i))
            {
                i = EndOfWord(text, i);
                continue;
            }

            var (length, kind) = Match(text, i);
            if (length > 0)
            {
                findings.Add(new PiiFinding(i, length, kind));
                i += length;
            }
            else
            {
                i = EndOfWord(text, i);
            }
        }
    }

    private static (int Length, PiiKind Kind) Match(ReadOnlySpan<char> text, int i)
    {
        var c = text[i];
        if (c is '(' or '（') return (Landline(text, i, parenthesised: true), PiiKind.Landline);
        if (c == '+') return (InternationalMobile(text, i), PiiKind.Mobile);

        var email = Email(text, i);
        if (email > 0) return (email, PiiKind.Email);
        var ipv6 = IPv6(text, i);
        if (ipv6 > 0) return (ipv6, PiiKind.IpAddress);
        if (char.IsAsciiDigit(c))
        {
            var ipv4 = IPv4(text, i);
            if (ipv4 > 0) return (ipv4, PiiKind.IpAddress);
            var number = Number(text, i, out var kind);
            if (number > 0) return (number, kind);
        }

        var word = EndOfWord(text, i) - i;
        if (word == 18 && CharsAreUpper(text.Slice(i, 18)) && !ResidentIdNumber.HasIdShape(text.Slice(i, 18)) && UnifiedSocialCreditCode.IsWellFormed(text.Slice(i, 18)))
            return (18, PiiKind.CreditCode);
        if (word == 9 && IsPassport(text.Slice(i, 9))) return (9, PiiKind.Passport);
        return (0, default);
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary>A token starts where the previous character cannot continue a number, word, address or email.</summary>
    private static bool BoundaryBefore(ReadOnlySpan<char> text, int i) =>
        i == 0 || !(IsWordChar(text[i - 1]) || text[i - 1] is '.' or '@' or '_' or '/' or '\\' or '=' or '&' or '%' or '#');

    private static bool BoundaryAfter(ReadOnlySpan<char> text, int end) =>
        end >= text.Length || !(IsWordChar(text[end]) || text[end] is '@' or '_' || (text[end] == '.' && end + 1 < text.Length && IsWordChar(text[end + 1])));

    private static int EndOfWord(ReadOnlySpan<char> text, int i)
    {
        var end = i + 1;
        while (end < text.Length && IsWordChar(text[end])) end++;
        return end;
    }

    private static bool CharsAreUpper(ReadOnlySpan<char> s) => !s.ContainsAnyInRange('a', 'z');

    /// <summary>Chinese passports: E/G/D/S/P + 8 digits, or E + a letter (not I/O) + 7 digits; upper case.</summary>
    private static bool IsPassport(ReadOnlySpan<char> s)
    {
        if (s[0] is not ('E' or 'G' or 'D' or 'S' or 'P')) return false;
        if (!s[2..].ContainsAnyExceptInRange('0', '9') && char.IsAsciiDigit(s[1])) return true;
        return s[0] == 'E' && char.IsAsciiLetterUpper(s[1]) && s[1] is not ('I' or 'O') && !s[2..].ContainsAnyExceptInRange('0', '9');
    }

    private static int Email(ReadOnlySpan<char> text, int i)
    {
        var limit = Math.Min(text.Length, i + MaxCandidate);
        var at = i;
        while (at < limit && at - i <= 64 && LocalPart.Contains(text[at])) at++;
        if (at == i || at >= limit || text[at] != '@' || text[at - 1] == '.') return 0;
        var end = at + 1;
        var labels = 0;
        var lastLabelStart = end;
        var lastLabelAllLetters = true;
        while (true)
        {
            var start = end;
            var letters = true;
            while (end < limit && (IsWordChar(text[end]) || text[end] == '-'))
            {
                letters &= char.IsAsciiLetter(text[end]);
                end++;
            }

            if (end == start || end - start > 63) break;
            labels++;
            lastLabelStart = start;
            lastLabelAllLetters = letters;
            if (end + 1 < limit && text[end] == '.' && IsWordChar(text[end + 1])) end++;
            else break;
        }

        if (labels < 2 || !lastLabelAllLetters || end - lastLabelStart < 2) return 0;
        return end - i;
    }

    private static int IPv4(ReadOnlySpan<char> text, int i)
    {
        var end = i;
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (end >= text.Length || text[end] != '.') return 0;
                end++;
            }

            var start = end;
            var value = 0;
            while (end < text.Length && end - start < 4 && char.IsAsciiDigit(text[end])) value = value * 10 + (text[end++] - '0');
            var digits = end - start;
            if (digits is 0 or > 3 || value > 255 || (digits > 1 && text[start] == '0')) return 0;
        }

        // "1.2.3.4.5" is a version or an outline number, not an address.
        if (end < text.Length && (IsWordChar(text[end]) || (text[end] == '.' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1])))) return 0;
        return end - i;
    }

    private static int IPv6(ReadOnlySpan<char> text, int i)
    {
        if (!char.IsAsciiHexDigit(text[i])) return 0;
        var limit = Math.Min(text.Length, i + 45);
        var end = i;
        var colons = 0;
        var doubleColon = false;
        var digit = false;
        var group = 0;
        while (end < limit)
        {
            var c = text[end];
            if (char.IsAsciiHexDigit(c))
            {
                if (++group > 4) return 0;
                digit |= char.IsAsciiDigit(c);
            }
            else if (c == ':')
            {
                if (end > i && text[end - 1] == ':') doubleColon = true;
                group = 0;
                colons++;
            }
            else if (c == '.' && colons >= 2)
            {
                // An embedded IPv4 tail (::ffff:192.0.2.1).
                group = 0;
            }
            else
            {
                break;
            }

            end++;
        }

        if (colons < 2 || !(doubleColon || colons == 7) || !digit) return 0;
        // A trailing single colon is punctuation ("地址是 fe80::1:" is rare; "fe80::1：" uses a full-width colon).
        while (end > i && text[end - 1] == ':' && !(end - 2 > i && text[end - 2] == ':')) end--;
        if (!BoundaryAfter(text, end) || !IPAddress.TryParse(text[i..end], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return 0;
        return end - i;
    }

    /// <summary><c>+86 138 1234 5678</c>, <c>+86-13812345678</c>, <c>+8613812345678</c>.</summary>
    private static int InternationalMobile(ReadOnlySpan<char> text, int i)
    {
        if (i + 3 >= text.Length || text[i + 1] != '8' || text[i + 2] != '6') return 0;
        var start = i + 3;
        if (text[start] is ' ' or '-') start++;
        if (start >= text.Length || !char.IsAsciiDigit(text[start])) return 0;
        var length = Number(text, start, out var kind);
        return length > 0 && kind == PiiKind.Mobile ? start + length - i : 0;
    }

    /// <summary><c>(010) 12345678</c> / <c>（0755）1234567</c>, or from <see cref="Number"/> <c>010-12345678</c>.</summary>
    private static int Landline(ReadOnlySpan<char> text, int i, bool parenthesised)
    {
        if (!parenthesised) return 0;
        var end = i + 1;
        var areaStart = end;
        while (end < text.Length && end - areaStart < 5 && char.IsAsciiDigit(text[end])) end++;
        if (!IsAreaCode(text[areaStart..end]) || end >= text.Length || text[end] is not (')' or '）')) return 0;
        end++;
        if (end < text.Length && text[end] is ' ' or '-') end++;
        var subscriberStart = end;
        while (end < text.Length && end - subscriberStart < 9 && char.IsAsciiDigit(text[end])) end++;
        if (!IsSubscriber(text[subscriberStart..end]) || !BoundaryAfter(text, end)) return 0;
        return end - i;
    }

    private static bool IsAreaCode(ReadOnlySpan<char> area) =>
        area.Length switch
        {
            3 => area[0] == '0' && (area[1] == '2' || (area[1] == '1' && area[2] == '0')),
            4 => area[0] == '0' && area[1] is >= '3' and <= '9',
            _ => false,
        };

    private static bool IsSubscriber(ReadOnlySpan<char> number) => number.Length is 7 or 8 && number[0] is >= '2' and <= '9';

    /// <summary>
    /// A run of digits in up to six groups separated by one space or hyphen (<c>138 1234 5678</c>, <c>6222-0212-…</c>,
    /// <c>010-12345678</c>): the longest prefix of whole groups that is an identifier wins, so a number followed by an
    /// unrelated one ("13812345678 2 份") is still found.
    /// </summary>
    private static int Number(ReadOnlySpan<char> text, int i, out PiiKind kind)
    {
        kind = default;
        Span<char> digits = stackalloc char[20];
        Span<int> groupEnds = stackalloc int[6];   // text index after each group
        Span<int> digitCounts = stackalloc int[6]; // digits so far after each group
        var count = 0;
        var groups = 0;
        var end = i;
        var separator = '\0';
        while (groups < 6)
        {
            var groupStart = count;
            while (end < text.Length && char.IsAsciiDigit(text[end]) && count < digits.Length) digits[count++] = text[end++];

            // No identifier has 20 digits: a group cut off there is no candidate, nor is any group after the first longer
            // than 8 digits (the longest inner group of every grouped shape), and nothing is read past either.
            if ((end < text.Length && char.IsAsciiDigit(text[end])) || (groups > 0 && count - groupStart > 8)) break;
            groupEnds[groups] = end;
            digitCounts[groups] = count;
            groups++;

            // Every grouped shape starts with a group of 3 to 6 digits (area code, 138, 6222, 110105): a shorter or longer
            // first group can only be a whole identifier on its own, so "1 2 3 4 …" costs one group per start, not six.
            if (groups == 1 && count is < 3 or > 6) break;
            if (end + 1 < text.Length && text[end] is ' ' or '-' && char.IsAsciiDigit(text[end + 1]) && (separator == '\0' || separator == text[end]))
            {
                separator = text[end];
                end++;
            }
            else
            {
                break;
            }
        }

        for (var g = groups; g >= 1; g--)
        {
            var stop = groupEnds[g - 1];
            var n = digitCounts[g - 1];
            var number = digits[..n];
            var idCardX = n == 17 && stop < text.Length && text[stop] is 'X' or 'x';
            if (idCardX && BoundaryAfter(text, stop + 1) && IsGrouped(digitCounts[..g], [6, 14], 17) && IdCard(text, stop + 1, digits[..17]))
            {
                kind = PiiKind.IdCard;
                return stop + 1 - i;
            }

            if (!BoundaryAfter(text, stop)) continue;
            if (n == 18 && IsGrouped(digitCounts[..g], [6, 14], 18) && IdCard(text, stop, number))
            {
                kind = PiiKind.IdCard;
                return stop - i;
            }

            if (n == 11 && number[0] == '1' && number[1] is >= '3' and <= '9' && IsGrouped(digitCounts[..g], [3, 7], 11))
            {
                kind = PiiKind.Mobile;
                return stop - i;
            }

            if (n == 18 && g == 1 && !ResidentIdNumber.HasIdShape(number) && UnifiedSocialCreditCode.IsWellFormed(number))
            {
                kind = PiiKind.CreditCode;
                return stop - i;
            }

            // An 18-digit number shaped like an ID number or a credit code whose check failed is a mistyped one of those, not a card.
            if (n is 16 or 17 or 18 or 19 && number[0] is >= '3' and <= '6' or '9' && IsFourGrouped(digitCounts[..g]) && Luhn(number)
                && !(n == 18 && (ResidentIdNumber.HasIdShape(number) || UnifiedSocialCreditCode.HasCodeShape(number))))
            {
                kind = PiiKind.BankCard;
                return stop - i;
            }

            if (g is 2 or 3 && separator != '\0' && IsAreaCode(digits[..digitCounts[0]]) && IsSubscriber(digits[digitCounts[0]..digitCounts[1]])
                && (g == 2 || digitCounts[2] - digitCounts[1] <= 5))
            {
                kind = PiiKind.Landline;
                return stop - i;
            }
        }

        return 0;
    }

    /// <summary>No separators, or exactly the groups ending at <paramref name="ends"/> then <paramref name="total"/>.</summary>
    private static bool IsGrouped(ReadOnlySpan<int> counts, ReadOnlySpan<int> ends, int total)
    {
        if (counts.Length == 1) return counts[0] == total;
        if (counts.Length != ends.Length + 1 || counts[^1] != total) return false;
        for (var g = 0; g < ends.Length; g++)
            if (counts[g] != ends[g]) return false;
        return true;
    }

    /// <summary>No separators, or groups of four (the last one shorter or longer by up to three: 4-4-4-4-3, 6-13 is not a card).</summary>
    private static bool IsFourGrouped(ReadOnlySpan<int> counts)
    {
        if (counts.Length == 1) return true;
        for (var g = 0; g < counts.Length - 1; g++)
            if (counts[g] != (g + 1) * 4) return false;
        return counts[^1] - counts[^2] is >= 1 and <= 7;
    }

    private static bool IdCard(ReadOnlySpan<char> text, int stop, ReadOnlySpan<char> digits)
    {
        Span<char> number = stackalloc char[18];
        digits.CopyTo(number);
        if (digits.Length == 17) number[17] = text[stop - 1];
        return ResidentIdNumber.IsWellFormed(number);
    }

    private static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt && (d *= 2) > 9) d -= 9;
            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }
}
