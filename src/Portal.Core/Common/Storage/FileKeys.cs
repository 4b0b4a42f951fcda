using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Portal.Core.Common.Storage;

/// <summary>The keys every store hands out: 32 random hex characters and an extension, so a key can never name a path.</summary>
public static partial class FileKeys
{
    public static string NewKey(string extension) => NewName() + extension;

    public static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsKey(string key) => KeyPattern().IsMatch(key);

    public static bool IsExtension(string extension) => ExtensionPattern().IsMatch(extension);

    public static string ExtensionOf(string key) => key[key.IndexOf('.')..];

    [GeneratedRegex(@"^\.[a-z0-9]{1,8}$")]
    private static partial Regex ExtensionPattern();

    [GeneratedRegex(@"^[0-9a-f]{32}\.[a-z0-9]{1,8}$")]
    private static partial Regex KeyPattern();
}
