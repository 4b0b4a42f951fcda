using System.Buffers;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Portal.Relay.Errors;

namespace Portal.Relay.Tokens;

/// <summary>
/// Counts tokens the way OpenAI bills them, for holds (before forwarding) and for usage when the upstream never sends
/// <c>usage</c>. Works on the raw request JSON with <see cref="Utf8JsonReader"/>: nothing is deserialised into objects.
/// </summary>
/// <remarks>
/// <para>Chat prompts follow OpenAI's documented recipe (openai-cookbook, "How to count tokens with tiktoken"):
/// every message costs <see cref="TokensPerMessage"/> (3) plus the tokens of each of its string fields (role,
/// content, name, tool_call_id, …); a <c>name</c> costs <see cref="TokensPerName"/> (1) more; the whole prompt costs
/// <see cref="ReplyPriming"/> (3) more for the assistant reply priming.</para>
/// <para>Beyond the recipe (estimates, documented here because they decide hold sizes): a content array counts its
/// <c>text</c> (and <c>refusal</c>) parts; an <c>image_url</c> part counts a flat <see cref="LowDetailImageTokens"/> (85)
/// when <c>detail</c> is <c>low</c> and <see cref="HighDetailImageTokens"/> (765, a 1024×1024 image at high detail:
/// 85 + 4 tiles × 170) otherwise, since the image size is unknown without fetching it; audio and file parts count
/// nothing (their usage only comes from the upstream). Non-string message fields such as <c>tool_calls</c> and
/// <c>function_call</c> count the tokens of their JSON text, and so do the request's <c>tools</c> / <c>functions</c>
/// definitions.</para>
/// <para>Bounded work: a count is exact for the first <see cref="ExactCharsPerCount"/> characters of text (per
/// request body or completion) and extrapolated from samples beyond; a single pre-token longer than
/// <see cref="MaxPreTokenChars"/> is counted in chunks (see <see cref="Metering"/> and the README's Decisions). Counting
/// an 8 MiB body of any content stays well under a second of CPU, and stops when the cancellation token fires.</para>
/// <para>Thread-safe: the tokenizers are created once per encoding (lazily, from the offline data packages) and
/// shared; <see cref="TiktokenTokenizer"/> is safe for concurrent use.</para>
/// </remarks>
public sealed class TokenCounter
{
    /// <summary>Per-message overhead in OpenAI's recipe.</summary>
    public const int TokensPerMessage = 3;

    /// <summary>Extra cost of a message's <c>name</c> field in OpenAI's recipe.</summary>
    public const int TokensPerName = 1;

    /// <summary>Every reply is primed with <c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>.</summary>
    public const int ReplyPriming = 3;

    /// <summary>Flat estimate of an image part with <c>detail: low</c>.</summary>
    public const int LowDetailImageTokens = 85;

    /// <summary>Flat estimate of an image part with <c>detail</c> high or auto (a 1024×1024 image).</summary>
    public const int HighDetailImageTokens = 765;

    /// <summary>Characters of text counted exactly per count (a request body, a completion); the rest is extrapolated.</summary>
    public const int ExactCharsPerCount = 128 * 1024;

    /// <summary>
    /// The longest pre-token (an unbroken run the tokenizer's regex keeps together) counted as one piece; longer runs are
    /// counted in chunks of this length, since byte-pair encoding takes quadratic time in a piece's length.
    /// </summary>
    public const int MaxPreTokenChars = 256;

    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide counter; the tokenizers behind it load on first use (~100 ms each).</summary>
    public static TokenCounter Shared { get; } = new();

    private TokenCounter()
    {
    }

    /// <summary>The shared tokenizer for <paramref name="encoding"/>.</summary>
    public static Tokenizer TokenizerFor(TokenEncoding encoding) => encoding switch
    {
        TokenEncoding.O200kBase => O200k.Value,
        TokenEncoding.Cl100kBase => Cl100k.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };

    /// <summary>Tokens of plain text (bounded work: see <see cref="ExactCharsPerCount"/>).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while counting.</exception>
    public int CountText(ReadOnlySpan<char> text, TokenEncoding encoding, CancellationToken cancellationToken = default) =>
        new Metering(TokenizerFor(encoding), cancellationToken).Count(text);

    /// <summary>Tokens of UTF-8 text (e.g. completion deltas collected from a stream); bounded like <see cref="CountText"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while counting.</exception>
    public int CountUtf8(ReadOnlySpan<byte> utf8, TokenEncoding encoding, CancellationToken cancellationToken = default) =>
        new Metering(TokenizerFor(encoding), cancellationToken).CountUtf8(utf8);

    /// <summary>
    /// The prompt tokens of a <c>/v1/chat/completions</c> request body (see the class remarks for the recipe).
    /// </summary>
    /// <exception cref="JsonException">The body is not JSON; validate it with <c>ChatRequestShape</c> first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while counting.</exception>
    public int CountChatPrompt(ReadOnlySpan<byte> requestJson, TokenEncoding encoding, CancellationToken cancellationToken = default)
    {
        var metering = new Metering(TokenizerFor(encoding), cancellationToken);
        var reader = new Utf8JsonReader(requestJson, RequestJson.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return ReplyPriming;

        var total = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("messages"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray) total += CountMessages(ref reader, requestJson, metering);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("tools"u8) || reader.ValueTextEquals("functions"u8))
            {
                reader.Read();
                total += CountRawValue(ref reader, requestJson, metering);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return total + ReplyPriming;
    }

    /// <summary>
    /// The tokens of a <c>/v1/embeddings</c> <c>input</c>: a string, an array of strings, an array of token ids, or an
    /// array of token-id arrays (token arrays count their length). Embeddings have no per-input overhead.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while counting.</exception>
    public int CountEmbeddingsInput(ReadOnlySpan<byte> requestJson, TokenEncoding encoding, CancellationToken cancellationToken = default)
    {
        var metering = new Metering(TokenizerFor(encoding), cancellationToken);
        var reader = new Utf8JsonReader(requestJson, RequestJson.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isInput = reader.ValueTextEquals("input"u8);
            reader.Read();
            if (!isInput)
            {
                reader.Skip();
                continue;
            }

            return reader.TokenType switch
            {
                JsonTokenType.String => CountString(ref reader, metering),
                JsonTokenType.StartArray => CountEmbeddingsArray(ref reader, metering),
                _ => 0,
            };
        }

        return 0;
    }

    private static int CountEmbeddingsArray(ref Utf8JsonReader reader, Metering metering)
    {
        var total = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    total += CountString(ref reader, metering);
                    break;
                case JsonTokenType.Number:
                    total++; // one token id
                    break;
                case JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.Number) total++;
                        else reader.Skip();
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return total;
    }

    private static int CountMessages(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Metering metering)
    {
        var total = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            total += TokensPerMessage;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                var isContent = reader.ValueTextEquals("content"u8);
                reader.Read();
                if (isName) total += TokensPerName;
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        total += CountString(ref reader, metering);
                        break;
                    case JsonTokenType.StartArray when isContent:
                        total += CountContentParts(ref reader, metering);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        total += CountRawValue(ref reader, json, metering);
                        break;
                    default:
                        break; // null, numbers, booleans: no text
                }
            }
        }

        return total;
    }

    private static int CountContentParts(ref Utf8JsonReader reader, Metering metering)
    {
        var total = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                total += CountString(ref reader, metering);
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("refusal"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) total += CountString(ref reader, metering);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("image_url"u8))
                {
                    reader.Read();
                    total += ImageEstimate(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        return total;
    }

    private static int ImageEstimate(ref Utf8JsonReader reader)
    {
        var low = false;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDetail = reader.ValueTextEquals("detail"u8);
                reader.Read();
                if (isDetail && reader.TokenType == JsonTokenType.String) low = reader.ValueTextEquals("low"u8);
                else reader.Skip();
            }
        }
        else
        {
            reader.Skip();
        }

        return low ? LowDetailImageTokens : HighDetailImageTokens;
    }

    private static int CountRawValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Metering metering)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var end = (int)reader.BytesConsumed;
        return metering.CountUtf8(json[start..end]);
    }

    private static int CountString(ref Utf8JsonReader reader, Metering metering)
    {
        var maxChars = reader.ValueSpan.Length; // unescaped UTF-16 length never exceeds the escaped UTF-8 length
        if (maxChars == 0) return 0;
        if (maxChars <= 512)
        {
            Span<char> buffer = stackalloc char[512];
            var length = reader.CopyString(buffer);
            return metering.Count(buffer[..length]);
        }

        var rented = ArrayPool<char>.Shared.Rent(maxChars);
        try
        {
            var length = reader.CopyString(rented);
            return metering.Count(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
