using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Portal.UnitTests.Relay.Tokens;

/// <summary>
/// Seeded texts for metering tests and the metering benchmark (linked into tests/Portal.Benchmarks): ordinary English,
/// Chinese and code, and the pathological shapes that make byte-pair encoding slow (one unbroken run of a class).
/// </summary>
public static class MeteringTexts
{
    private static readonly string[] EnglishSentences =
    [
        "The quick brown fox jumps over the lazy dog. ", "Please summarise the attached quarterly report in three bullet points. ",
        "Our invoices are issued within five working days of payment. ", "Can you explain why the build failed on Tuesday?\n",
        "It's 3:45 pm and the meeting hasn't started yet; we'll wait 10 more minutes. ", "Refunds go back through the rail they came from.\n\n",
        "Tokenizers split text into pieces: words, numbers like 1234567, and punctuation!? ", "Don't forget to rotate the API keys (every 90 days). ",
    ];

    private static readonly string[] ChineseSentences =
    [
        "请帮我总结一下这份季度报告的要点。", "我们的发票会在付款后五个工作日内开具，", "企业实名认证需要上传营业执照和法人身份证。\n",
        "这个模型的上下文长度是十二万八千个词元；", "如果余额不足，请先充值再重试请求！", "对公转账请在附言中填写汇款识别码。\n",
    ];

    private static readonly string[] CodeLines =
    [
        "    for (var i = 0; i < items.Length; i++) { total += items[i].Price * 2; }\n", "public sealed record Invoice(Guid Id, long AmountMicroYuan);\n",
        "    if (response.StatusCode >= 500) throw new HttpRequestException(\"upstream\");\n", "// ---------------------------------------------------------------\n",
        "def count(xs):\n    return sum(1 for x in xs if x % 3 == 0)\n", "SELECT tenant_id, SUM(cost_micro_yuan) FROM usage_records GROUP BY tenant_id;\n",
    ];

    /// <summary>The ordinary shapes: text whose counts must equal the tokenizer's exactly.</summary>
    public static IReadOnlyList<string> OrdinaryKinds { get; } = ["english", "chinese", "code", "mixed"];

    /// <summary>The pathological shapes: unbroken runs and high-entropy text.</summary>
    public static IReadOnlyList<string> PathologicalKinds { get; } =
        ["x-run", "random-letters", "random-words", "cjk-run", "emoji-run", "digits", "spaces", "newlines", "punctuation-run", "mixed-case", "random-unicode"];

    /// <summary>About <paramref name="chars"/> characters of ordinary text of <paramref name="kind"/>, seeded.</summary>
    public static string Ordinary(string kind, int chars, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder(chars + 128);
        while (text.Length < chars)
        {
            var pool = kind switch
            {
                "english" => EnglishSentences,
                "chinese" => ChineseSentences,
                "code" => CodeLines,
                _ => random.Next(3) switch { 0 => EnglishSentences, 1 => ChineseSentences, _ => CodeLines },
            };
            text.Append(pool[random.Next(pool.Length)]);
            if (random.Next(20) == 0) text.Append(random.Next(100000)).Append(' ');
        }

        return text.ToString();
    }

    /// <summary>About <paramref name="utf8Bytes"/> bytes (UTF-8) of the pathological shape <paramref name="kind"/>, seeded.</summary>
    public static string Pathological(string kind, int utf8Bytes, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        var bytes = 0;
        while (bytes < utf8Bytes)
        {
            var piece = kind switch
            {
                "x-run" => "x",
                "random-letters" => ((char)('a' + random.Next(26))).ToString(),
                "random-words" => " " + new string(Enumerable.Range(0, 1 + random.Next(9)).Select(_ => (char)('a' + random.Next(26))).ToArray()),
                "cjk-run" => ((char)(0x4E00 + random.Next(20000))).ToString(),
                "emoji-run" => char.ConvertFromUtf32(0x1F300 + random.Next(700)),
                "digits" => ((char)('0' + random.Next(10))).ToString(),
                "spaces" => " ",
                "newlines" => "\n",
                "punctuation-run" => "!#$%&()*+,-./:;<=>?@[]^_`{|}~"[random.Next(29)].ToString(),
                "mixed-case" => ((char)((random.Next(2) == 0 ? 'a' : 'A') + random.Next(26))).ToString(),
                "random-unicode" => RandomScalar(random),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            };
            text.Append(piece);
            bytes += Encoding.UTF8.GetByteCount(piece);
        }

        return text.ToString();
    }

    /// <summary>An embeddings request body whose <c>input</c> is <paramref name="text"/> (non-ASCII left unescaped).</summary>
    public static byte[] EmbeddingsBody(string text) => Body("{\"model\":\"text-embedding-3-small\",\"input\":", text, "}");

    /// <summary>An embeddings body of at most <paramref name="maxBytes"/>: <paramref name="text"/> cut where its escaped form fits.</summary>
    public static byte[] EmbeddingsBody(string text, int maxBytes)
    {
        var body = EmbeddingsBody(text);
        while (body.Length > maxBytes)
        {
            var keep = (int)((long)text.Length * (maxBytes - 64) / body.Length);
            if (keep > 0 && char.IsHighSurrogate(text[keep - 1])) keep--;
            text = text[..keep];
            body = EmbeddingsBody(text);
        }

        return body;
    }

    /// <summary>A chat request body with one user message of <paramref name="text"/>.</summary>
    public static byte[] ChatBody(string text) => Body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":", text, "}]}");

    private static byte[] Body(string prefix, string text, string suffix)
    {
        var encoded = JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var body = new byte[prefix.Length + encoded.EncodedUtf8Bytes.Length + 2 + suffix.Length];
        var at = Encoding.ASCII.GetBytes(prefix, body);
        body[at++] = (byte)'"';
        encoded.EncodedUtf8Bytes.CopyTo(body.AsSpan(at));
        at += encoded.EncodedUtf8Bytes.Length;
        body[at++] = (byte)'"';
        Encoding.ASCII.GetBytes(suffix, body.AsSpan(at));
        return body;
    }

    private static string RandomScalar(Random random)
    {
        while (true)
        {
            var scalar = random.Next(0xA0, 0x2FFFF);
            if (scalar is < 0xD800 or > 0xDFFF && !char.IsControl(char.ConvertFromUtf32(scalar), 0)) return char.ConvertFromUtf32(scalar);
        }
    }
}
