namespace Portal.Core.Common;

/// <summary>
/// A secret given in configuration either inline (<c>Section:Key</c>) or as a file (<c>Section:KeyFile</c>, e.g. a
/// mounted Kubernetes or Docker secret, PEM or whatever the key's own format is), so that private keys need not sit
/// in configuration files or environment variables. Used by every payment rail's options.
/// </summary>
public static class SecretSource
{
    /// <summary>
    /// The inline value when set, else the file's content (surrounding whitespace trimmed), else the (empty) value.
    /// A relative path is relative to <paramref name="baseDirectory"/> (the content root).
    /// </summary>
    /// <exception cref="InvalidOperationException">Both are set, or the file is missing, unreadable or empty; the message names the key.</exception>
    public static string Resolve(string key, string? value, string? file, string baseDirectory)
    {
        var hasFile = !string.IsNullOrWhiteSpace(file);
        if (!hasFile) return value ?? "";
        if (!string.IsNullOrWhiteSpace(value)) throw new InvalidOperationException($"Set {key} or {key}File, not both.");

        var path = Path.GetFullPath(file!.Trim(), baseDirectory);
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{key}File: cannot read {path}: {ex.Message}", ex);
        }

        return text.Length > 0 ? text : throw new InvalidOperationException($"{key}File: {path} is empty.");
    }
}
