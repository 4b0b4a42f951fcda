using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>
/// Remittance codes: 8 random characters from an alphabet without look-alikes (no 0/O, 1/I/L), so a code read
/// aloud or copied by hand into a bank's memo field survives. 31⁸ ≈ 8.5 × 10¹¹ codes; uniqueness is the database's.
/// </summary>
public static class RemittanceCodes
{
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public const int Length = 8;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary><c>RC7K2M9Q</c> → <c>RC7K 2M9Q</c>, for reading.</summary>
    public static string Display(string code) => code.Length == Length ? $"{code[..4]} {code[4..]}" : code;

    /// <summary>A memo reduced to upper-case letters and digits, so <c>转账 rc7k-2m9q 货款</c> contains <c>RC7K2M9Q</c>.</summary>
    public static string Normalize(string memo)
    {
        var sb = new StringBuilder(memo.Length);
        foreach (var c in memo)
        {
            if (c is >= 'a' and <= 'z') sb.Append(char.ToUpperInvariant(c));
            else if (c is >= 'A' and <= 'Z' or >= '0' and <= '9') sb.Append(c);
            else if (c is >= 'ａ' and <= 'ｚ') sb.Append((char)(c - 'ａ' + 'A'));
            else if (c is >= 'Ａ' and <= 'Ｚ') sb.Append((char)(c - 'Ａ' + 'A'));
            else if (c is >= '０' and <= '９') sb.Append((char)(c - '０' + '0'));
        }

        return sb.ToString();
    }

    public static bool IsWellFormed(string? code) => code is { Length: Length } && code.All(Alphabet.Contains);
}
