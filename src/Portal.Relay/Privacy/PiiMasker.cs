using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Portal.Core.Features.DataProtection;

namespace Portal.Relay.Privacy;

/// <summary>
/// One request's masking: every string value of a JSON body (messages, content parts, tool results and tool-call
/// arguments, instructions, embeddings input — whatever the surface) is scanned by <see cref="PiiScanner"/>, and each
/// finding replaced by a typed placeholder (<c>[手机号_1]</c>). The same value gets the same placeholder everywhere in
/// the request; the map lives only in this object, for <see cref="Restore"/> in the answer, and is never stored or logged.
/// Property names, inline binary data (<c>data:</c> URLs, base64 <c>data</c>) and signatures are not scanned.
/// </summary>
internal sealed class PiiMasker
{
    /// <summary>The longest placeholder: <c>[</c> + a four-character label + <c>_</c> + up to five digits + <c>]</c>.</summary>
    public const int MaxPlaceholderLength = 16;

    private static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly Dictionary<string, string> _placeholderByValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _valueByPlaceholder = new(StringComparer.Ordinal);
    private readonly int[] _counts = new int[PiiKinds.All.Length];
    private readonly List<PiiFinding> _findings = [];

    /// <summary>Distinct values found per kind.</summary>
    public PiiCounts Counts => PiiCounts.From(PiiKinds.All.Select(k => (k, _counts[(int)k])));

    public bool FoundAny => _valueByPlaceholder.Count > 0;

    /// <summary>
    /// Writes <paramref name="json"/> with every finding masked to <paramref name="output"/>; false (nothing written) when
    /// there was nothing to mask. A body that is not JSON is left to the surface's own validation (false).
    /// </summary>
    public bool MaskJson(ReadOnlySpan<byte> json, IBufferWriter<byte> output) =>
        RewriteStrings(json, output, static (masker, property, value, sb) => masker.MaskString(property, value, sb));

    /// <summary>Writes <paramref name="json"/> with every known placeholder inside string values put back; false when none was there.</summary>
    public bool RestoreJson(ReadOnlySpan<byte> json, IBufferWriter<byte> output) =>
        _valueByPlaceholder.Count > 0 && RewriteStrings(json, output, static (masker, _, value, sb) => masker.RestoreString(value, sb));

    /// <summary>The text with every known placeholder replaced by its value (the text itself when there is none).</summary>
    public string Restore(string text)
    {
        if (_valueByPlaceholder.Count == 0 || !text.Contains('[')) return text;
        var sb = new StringBuilder(text.Length + 32);
        return RestoreString(text, sb) ? sb.ToString() : text;
    }

    /// <summary>A restorer for one stream of text deltas (placeholders may be split across events).</summary>
    public StreamRestorer NewStreamRestorer() => new(this);

    private bool MaskString(string? property, ReadOnlySpan<char> value, StringBuilder sb)
    {
        if (property is "data" or "signature" or "encrypted_content" or "b64_json" || value.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return false;
        _findings.Clear();
        PiiScanner.Scan(value, _findings);
        if (_findings.Count == 0) return false;
        var last = 0;
        foreach (var finding in _findings)
        {
            sb.Append(value[last..finding.Start]);
            var original = value.Slice(finding.Start, finding.Length).ToString();
            if (!_placeholderByValue.TryGetValue(original, out var placeholder))
            {
                placeholder = $"[{finding.Kind.Label()}_{++_counts[(int)finding.Kind]}]";
                _placeholderByValue[original] = placeholder;
                _valueByPlaceholder[placeholder] = original;
            }

            sb.Append(placeholder);
            last = finding.Start + finding.Length;
        }

        sb.Append(value[last..]);
        return true;
    }

    private bool RestoreString(ReadOnlySpan<char> value, StringBuilder sb)
    {
        var lookup = _valueByPlaceholder.GetAlternateLookup<ReadOnlySpan<char>>();
        var changed = false;
        var last = 0;
        var i = 0;
        int open;
        while ((open = value[i..].IndexOf('[')) >= 0)
        {
            open += i;
            // Bounded: a "[[[[…" answer costs linear time.
            var close = value.Slice(open, Math.Min(MaxPlaceholderLength, value.Length - open)).IndexOf(']');
            if (close > 0 && lookup.TryGetValue(value.Slice(open, close + 1), out var original))
            {
                sb.Append(value[last..open]).Append(original);
                last = i = open + close + 1;
                changed = true;
            }
            else
            {
                i = open + 1;
            }
        }

        if (changed) sb.Append(value[last..]);
        return changed;
    }

    private delegate bool StringTransform(PiiMasker masker, string? property, ReadOnlySpan<char> value, StringBuilder output);

    /// <summary>
    /// Copies <paramref name="json"/> to <paramref name="output"/>, replacing each string value that
    /// <paramref name="transform"/> changes (JSON-escaped again); bytes between changed strings are copied as they are.
    /// </summary>
    private bool RewriteStrings(ReadOnlySpan<byte> json, IBufferWriter<byte> output, StringTransform transform)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        var copied = 0;
        var changed = false;
        string? property = null;
        var sb = new StringBuilder();
        char[]? rented = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.ValueTextEquals("data"u8) ? "data" : reader.ValueTextEquals("signature"u8) ? "signature"
                        : reader.ValueTextEquals("encrypted_content"u8) ? "encrypted_content" : reader.ValueTextEquals("b64_json"u8) ? "b64_json" : null;
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    property = null;
                    continue;
                }

                var raw = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
                var needed = raw;
                if (rented is null || rented.Length < needed)
                {
                    if (rented is not null) ArrayPool<char>.Shared.Return(rented);
                    rented = ArrayPool<char>.Shared.Rent(Math.Max(needed, 256));
                }

                var length = reader.CopyString(rented);
                sb.Clear();
                if (transform(this, property, rented.AsSpan(0, length), sb))
                {
                    var start = (int)reader.TokenStartIndex;
                    output.Write(json[copied..start]);
                    WriteJsonString(sb, output);
                    copied = start + raw + 2;
                    changed = true;
                }

                property = null;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }

        if (!changed) return false;
        output.Write(json[copied..]);
        return true;
    }

    private static void WriteJsonString(StringBuilder value, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JsonEncoder, SkipValidation = true });
        writer.WriteStringValue(value.ToString());
    }

    /// <summary>
    /// Restores placeholders in a stream of text fragments: a fragment's tail that could be the start of a placeholder
    /// (a <c>[</c> with no <c>]</c> after it, shorter than a placeholder) is held back until the next fragment or
    /// <see cref="Flush"/>.
    /// </summary>
    public sealed class StreamRestorer(PiiMasker masker)
    {
        private string _held = "";

        /// <summary>What can be sent now of <paramref name="fragment"/> (restored); may be empty.</summary>
        public string Push(string fragment)
        {
            var text = _held.Length == 0 ? fragment : _held + fragment;
            _held = "";
            var open = text.LastIndexOf('[');
            if (open >= 0 && text.IndexOf(']', open) < 0 && text.Length - open < MaxPlaceholderLength)
            {
                _held = text[open..];
                text = text[..open];
            }

            return masker.Restore(text);
        }

        /// <summary>What is still held back (restored), e.g. at the end of the stream; empty when nothing is.</summary>
        public string Flush()
        {
            var held = _held;
            _held = "";
            return held.Length == 0 ? held : masker.Restore(held);
        }
    }
}
