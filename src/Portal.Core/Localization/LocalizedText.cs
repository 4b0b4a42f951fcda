using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Localization;

namespace Portal.Core.Localization;

/// <summary>
/// Text that is stored once and read in several languages (ledger memos): kept as its English template, which is the
/// localisation key, and its arguments, as <c>{"t":"Plan {0}","a":["基础套餐"]}</c>, and rendered in the reader's
/// language. Text stored before (plain, in one language) and text people typed is shown as it is.
/// </summary>
public static class LocalizedText
{
    private const string Marker = "{\"t\":";

    /// <summary>Stores <paramref name="template"/> (an English localisation key with <c>{0}</c>… holes) with its arguments.</summary>
    public static string Encode(string template, params string[] args) =>
        JsonSerializer.Serialize(new Stored(template, args), Options);

    /// <summary>An argument that is itself a localisation key (an enum's text, a fixed word), translated when rendered.</summary>
    public static string Term(string key) => TermMarker + key;

    /// <summary>An enum value as an argument, rendered as its <see cref="EnumText"/> in the reader's language.</summary>
    public static string Term(Enum value) => Term(EnumText.Key(value));

    private const char TermMarker = '\u0001';

    /// <summary>The stored text in the localizer's (the current UI) culture; an argument that is itself stored text (a
    /// ledger memo inside an audit summary) is rendered in turn.</summary>
    public static string Render(IStringLocalizer localizer, string stored)
    {
        if (!stored.StartsWith(Marker, StringComparison.Ordinal)) return stored;
        try
        {
            var text = JsonSerializer.Deserialize<Stored>(stored);
            if (text?.T is null) return stored;
            var args = (text.A ?? []).Select(a => a.Length > 0 && a[0] == TermMarker ? localizer[a[1..]].Value : Render(localizer, a)).ToArray<object>();
            return string.Format(CultureInfo.CurrentCulture, localizer[text.T], args);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return stored;
        }
    }

    /// <summary>The English text (logs, exports that are not localised).</summary>
    public static string English(string stored)
    {
        if (!stored.StartsWith(Marker, StringComparison.Ordinal)) return stored;
        try
        {
            var text = JsonSerializer.Deserialize<Stored>(stored);
            return text?.T is null ? stored : string.Format(CultureInfo.InvariantCulture, text.T, (text.A ?? []).Select(a => English(a.TrimStart(TermMarker))).ToArray<object>());
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return stored;
        }
    }

    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Stored([property: JsonPropertyName("t")] string T, [property: JsonPropertyName("a")] string[]? A);
}
