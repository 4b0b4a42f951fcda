using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Portal.Relay.Tokens;

/// <summary>
/// One bounded count (a request body, a completion): counts text exactly with the tokenizer until
/// <see cref="TokenCounter.ExactCharsPerCount"/> characters have been counted, then estimates the rest from samples of
/// it, so the work is linear in the input and bounded by a constant number of tokenizer calls. Checks the cancellation
/// token between tokenizer calls. Not thread-safe: one instance per count.
/// </summary>
/// <remarks>
/// Exactness: text is cut only where the tokenizer's own pre-tokenizer (the o200k / cl100k regex) puts a boundary, and
/// each piece is counted with <see cref="Tokenizer.CountTokens(ReadOnlySpan{char}, bool, bool)"/>; the regex matches the
/// same pre-tokens in a piece as in the whole text, so the sum equals the library's count of the whole. The only
/// deviations (README, Decisions): a single pre-token longer than <see cref="TokenCounter.MaxPreTokenChars"/> (an
/// unbroken run of one character class, which byte-pair encoding handles in quadratic time) is counted in chunks of that
/// length, and text beyond the exact budget is extrapolated.
/// </remarks>
internal sealed class Metering(Tokenizer tokenizer, CancellationToken cancellationToken)
{
    /// <summary>Pieces handed to the tokenizer are cut at a pre-token boundary once they reach this length.</summary>
    private const int SegmentChars = 4096;

    /// <summary>Text read past the exact budget so the regex sees the context of the last pre-token before the cut.</summary>
    private const int LookaheadChars = 256;

    /// <summary>Length of one sample window of text beyond the exact budget.</summary>
    private const int SampleWindowChars = 1024;

    /// <summary>Sample windows taken from one long remainder.</summary>
    private const int SampleWindows = 8;

    /// <summary>Characters of all sample windows of one count.</summary>
    private const int SampleCharsPerCount = 32 * 1024;

    /// <summary>Tokens per character assumed when nothing could be measured (roughly English).</summary>
    private const double FallbackTokensPerChar = 0.25;

    private int _exactLeft = TokenCounter.ExactCharsPerCount;
    private int _sampleLeft = SampleCharsPerCount;
    private long _measuredChars;
    private long _measuredTokens;

    /// <summary>Tokens of <paramref name="text"/>; exact while the budget lasts, estimated beyond it.</summary>
    public int Count(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return 0;
        cancellationToken.ThrowIfCancellationRequested();
        long tokens = 0;
        var consumed = 0;
        if (_exactLeft > 0)
        {
            consumed = CountPrefix(text, _exactLeft, out tokens);
            _exactLeft = consumed == text.Length ? _exactLeft - consumed : 0;
            _measuredChars += consumed;
            _measuredTokens += tokens;
        }

        if (consumed == text.Length) return (int)tokens;
        var rest = text[consumed..];
        return (int)Math.Min(int.MaxValue, tokens + (long)Math.Ceiling(rest.Length * TokensPerChar(rest)));
    }

    /// <summary>Tokens of UTF-8 text (invalid sequences count as U+FFFD, as the tokenizer would see them decoded).</summary>
    public int CountUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return 0;
        var rented = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(utf8.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, rented);
            return Count(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The rate to extrapolate <paramref name="rest"/> with: measured on sample windows spread over it (so cheap text in
    /// front cannot make expensive text behind it look cheap), else the rate measured so far in this count.
    /// </summary>
    private double TokensPerChar(ReadOnlySpan<char> rest)
    {
        var windows = Math.Min(SampleWindows, _sampleLeft / SampleWindowChars);
        if (rest.Length >= 4 * SampleWindowChars && windows > 0)
        {
            long sampledChars = 0, sampledTokens = 0;
            for (var i = 0; i < windows; i++)
            {
                var start = (int)((long)(rest.Length - SampleWindowChars) * ((2 * i) + 1) / (2 * windows));
                if (char.IsLowSurrogate(rest[start])) start++;
                var consumed = CountPrefix(rest.Slice(start, SampleWindowChars - 1), SampleWindowChars - 1, out var tokens);
                sampledChars += consumed;
                sampledTokens += tokens;
            }

            _sampleLeft -= windows * SampleWindowChars;
            _measuredChars += sampledChars;
            _measuredTokens += sampledTokens;
            if (sampledChars > 0) return (double)sampledTokens / sampledChars;
        }

        return _measuredChars > 0 ? (double)_measuredTokens / _measuredChars : FallbackTokensPerChar;
    }

    /// <summary>
    /// Counts <paramref name="text"/> exactly up to about <paramref name="limit"/> characters, cutting at a pre-token
    /// boundary; returns how many characters were counted.
    /// </summary>
    private int CountPrefix(ReadOnlySpan<char> text, int limit, out long tokens)
    {
        tokens = 0;
        var window = text.Length <= limit ? text : text[..Math.Min(text.Length, limit + LookaheadChars)];
        if (tokenizer.PreTokenizer is not { } preTokenizer) return CountChunked(window, 0, Math.Min(window.Length, limit), ref tokens);

        var segmentStart = 0;
        foreach (var (offset, length) in preTokenizer.PreTokenize(window))
        {
            var end = offset + length;
            if (length > TokenCounter.MaxPreTokenChars)
            {
                tokens += CountPiece(window[segmentStart..offset]);
                var counted = CountChunked(window, offset, Math.Min(end, limit), ref tokens);
                if (end > limit) return counted;
                segmentStart = end;
            }
            else if (end > limit)
            {
                tokens += CountPiece(window[segmentStart..offset]);
                return offset;
            }
            else if (end - segmentStart >= SegmentChars)
            {
                tokens += CountPiece(window[segmentStart..end]);
                segmentStart = end;
            }
        }

        tokens += CountPiece(window[segmentStart..]);
        return window.Length;
    }

    /// <summary>Counts <c>text[from..to]</c> in chunks of <see cref="TokenCounter.MaxPreTokenChars"/>; returns where it stopped.</summary>
    private int CountChunked(ReadOnlySpan<char> text, int from, int to, ref long tokens)
    {
        var at = from;
        ReadOnlySpan<char> previous = default;
        var previousTokens = 0;
        while (at < to)
        {
            var next = Math.Min(to, at + TokenCounter.MaxPreTokenChars);
            if (next < text.Length && next - 1 > at && char.IsHighSurrogate(text[next - 1]) && char.IsLowSurrogate(text[next])) next--;
            var piece = text[at..next];
            // A run of one repeated character gives the same chunk again and again: count it once.
            if (!piece.SequenceEqual(previous))
            {
                previous = piece;
                previousTokens = CountPiece(piece);
            }

            tokens += previousTokens;
            at = next;
        }

        return at;
    }

    private int CountPiece(ReadOnlySpan<char> piece)
    {
        if (piece.IsEmpty) return 0;
        cancellationToken.ThrowIfCancellationRequested();
        return tokenizer.CountTokens(piece);
    }
}
