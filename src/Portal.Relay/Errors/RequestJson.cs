using System.Text.Json;
using System.Text.Unicode;

namespace Portal.Relay.Errors;

/// <summary>
/// The one set of JSON limits for client bodies on every <c>/v1</c> surface: each request validator calls
/// <see cref="IsWellFormed"/> first, and every <see cref="Utf8JsonReader"/> / <see cref="JsonDocument"/> that reads a
/// client body (validators, the body rewriter, the token counter, the simulator) uses <see cref="ReaderOptions"/> or
/// <see cref="DocumentOptions"/>, so no later reader can fail on a body the validator accepted.
/// </summary>
public static class RequestJson
{
    /// <summary>
    /// The deepest nesting accepted (objects and arrays), System.Text.Json's default; deeper bodies are 400
    /// <c>invalid_json</c>. Real chat, embeddings and tool-schema bodies stay far below it.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>Reader options for client bodies.</summary>
    public static JsonReaderOptions ReaderOptions => new() { MaxDepth = MaxDepth };

    /// <summary>Document options for client bodies.</summary>
    public static JsonDocumentOptions DocumentOptions => new() { MaxDepth = MaxDepth };

    /// <summary>
    /// True when <paramref name="json"/> is one complete JSON value within <see cref="MaxDepth"/>, in valid UTF-8, whose
    /// strings and property names unescape to valid UTF-16 (no lone surrogate escapes such as <c>"\ud800"</c>). One
    /// linear pass: System.Text.Json's reader checks syntax but neither UTF-8 nor escaped surrogates inside strings,
    /// which later fail with <see cref="InvalidOperationException"/> when a string is read.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json)) return false;
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read()) return false;
            do
            {
                if (reader.TokenType is (JsonTokenType.String or JsonTokenType.PropertyName) && reader.ValueIsEscaped && !HasValidEscapes(reader.ValueSpan))
                    return false;
            }
            while (reader.Read());

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks the <c>\uXXXX</c> escapes of a raw (still escaped) string: a high surrogate must be followed at once by an
    /// escaped low surrogate, and a low surrogate must follow a high one. The reader has already checked the escape syntax.
    /// </summary>
    private static bool HasValidEscapes(ReadOnlySpan<byte> raw)
    {
        var expectLow = false;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                if (expectLow) return false;
                continue;
            }

            var kind = raw[++i];
            if (kind != (byte)'u')
            {
                if (expectLow) return false;
                continue;
            }

            var unit = Hex(raw.Slice(i + 1, 4));
            i += 4;
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (expectLow) return false;
                expectLow = true;
            }
            else if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                if (!expectLow) return false;
                expectLow = false;
            }
            else if (expectLow)
            {
                return false;
            }
        }

        return !expectLow;
    }

    private static int Hex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            value = (value << 4) | digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                _ => digit - 'A' + 10,
            };
        }

        return value;
    }
}
