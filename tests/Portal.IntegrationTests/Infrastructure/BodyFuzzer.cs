using System.Text;
using System.Text.Json.Nodes;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>One fuzzed request body: how it was made, its bytes and the content type to send it with (null: none).</summary>
public sealed record FuzzCase(string Mutation, byte[] Body, string? ContentType);

/// <summary>
/// A seeded, deterministic generator of malformed and mutated request bodies derived from valid seed bodies: byte flips,
/// truncation, invalid UTF-8, escaped lone surrogates, deep nesting, huge and odd numbers, wrong types per field,
/// duplicate keys, structural splices, empty, garbage and huge bodies, wrong content types. The same seed gives the same
/// cases, so a failure names a reproducible case (<see cref="FuzzCase.Mutation"/> plus its index).
/// </summary>
public static class BodyFuzzer
{
    private static readonly string[] Mutations =
    [
        "byte-flip", "truncate", "invalid-utf8", "surrogate-escape", "deep-nesting", "huge-number", "wrong-type", "wrong-type-nested",
        "duplicate-key", "splice", "empty-or-scalar", "garbage", "wrong-content-type", "huge-string",
    ];

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xC3], [0xE4, 0xBD], [0xF4, 0x90, 0x80, 0x80], [0x80]];

    private static readonly string[] SurrogateEscapes = [@"\ud800", @"\udc00", @"\udbff\u0041", @"\ud83d\ud83d", @"x\udfff", @"\uD800\\"];

    private static readonly string[] OddNumbers =
        ["1e400", "-1e400", "99999999999999999999999999999", "-1", "0", "1.5", "2147483648", "-2147483649", "9223372036854775808", "1e-400", "-0", "0.0000001"];

    private static readonly string[] OddValues = ["null", "true", "false", "0", "-7", "\"\"", "\"x\"", "[]", "{}", "[1,\"a\",null]", "{\"x\":{\"y\":[]}}", "1e400", "\"😀\""];

    private static readonly string?[] WrongContentTypes = [null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=latin1"];

    /// <summary>
    /// <paramref name="count"/> cases from <paramref name="seeds"/> (valid JSON bodies), cycling through every mutation
    /// kind so each is well represented. <paramref name="hugeBytes"/> is the size of the (rare) huge-body cases.
    /// </summary>
    public static IEnumerable<FuzzCase> Generate(IReadOnlyList<string> seeds, int count, int seed, int hugeBytes) =>
        Enumerable.Range(0, count).Select(i => Case(seeds, seed, i, hugeBytes));

    /// <summary>
    /// Case <paramref name="index"/> of the sequence <see cref="Generate"/> yields, made on its own (so huge bodies live only
    /// while they are sent): each case has its own random source derived from <paramref name="seed"/> and the index.
    /// </summary>
    public static FuzzCase Case(IReadOnlyList<string> seeds, int seed, int index, int hugeBytes)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var kind = Mutations[index % Mutations.Length];
        return Mutate(kind, seeds[random.Next(seeds.Count)], random, hugeBytes, index);
    }

    private static FuzzCase Mutate(string kind, string seedBody, Random random, int hugeBytes, int index)
    {
        var bytes = Encoding.UTF8.GetBytes(seedBody);
        const string json = "application/json";
        switch (kind)
        {
            case "byte-flip":
                var flipped = (byte[])bytes.Clone();
                for (var n = 1 + random.Next(4); n > 0; n--) flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                return new(kind, flipped, json);
            case "truncate":
                return new(kind, bytes[..random.Next(bytes.Length)], json);
            case "invalid-utf8":
                return new(kind, InsertAfterQuote(bytes, InvalidUtf8[random.Next(InvalidUtf8.Length)], random), json);
            case "surrogate-escape":
                return new(kind, InsertAfterQuote(bytes, Encoding.ASCII.GetBytes(SurrogateEscapes[random.Next(SurrogateEscapes.Length)]), random), json);
            case "deep-nesting":
                var depth = random.Next(2) == 0 ? 60 + random.Next(10) : 64 + random.Next(1000);
                var nested = random.Next(2) == 0
                    ? new string('[', depth) + "1" + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                return new(kind, Encoding.UTF8.GetBytes(ReplaceValue(seedBody, random, nested, nested: true)), json);
            case "huge-number":
                return new(kind, Encoding.UTF8.GetBytes(ReplaceValue(seedBody, random, OddNumbers[random.Next(OddNumbers.Length)], nested: false)), json);
            case "wrong-type":
                return new(kind, Encoding.UTF8.GetBytes(ReplaceValue(seedBody, random, OddValues[random.Next(OddValues.Length)], nested: false)), json);
            case "wrong-type-nested":
                return new(kind, Encoding.UTF8.GetBytes(ReplaceValue(seedBody, random, OddValues[random.Next(OddValues.Length)], nested: true)), json);
            case "duplicate-key":
                var root = JsonNode.Parse(seedBody)!.AsObject();
                var names = root.Select(p => p.Key).ToList();
                var name = names[random.Next(names.Count)];
                var duplicate = "\"" + name + "\":" + OddValues[random.Next(OddValues.Length)];
                var text = random.Next(2) == 0 ? "{" + duplicate + "," + seedBody[1..] : seedBody[..^1] + "," + duplicate + "}";
                return new(kind, Encoding.UTF8.GetBytes(text), json);
            case "splice":
                var spliced = new List<byte>(bytes);
                var at = random.Next(spliced.Count);
                if (random.Next(2) == 0) spliced.RemoveAt(at);
                else spliced.Insert(at, (byte)"{}[],:\"\\ntfe-.0"[random.Next(15)]);
                return new(kind, [.. spliced], json);
            case "empty-or-scalar":
                string[] scalars = ["", " ", "\n\t", "null", "[]", "\"text\"", "0", "{}", "[" + seedBody + "]", seedBody + seedBody, "\uFEFF" + seedBody, seedBody + " x", "{,}"];
                return new(kind, Encoding.UTF8.GetBytes(scalars[index / Mutations.Length % scalars.Length]), json);
            case "garbage":
                var garbage = new byte[random.Next(300)];
                random.NextBytes(garbage);
                return new(kind, garbage, random.Next(2) == 0 ? json : null);
            case "wrong-content-type":
                return new(kind, random.Next(3) == 0 ? Encoding.UTF8.GetBytes("model=x&input=y") : bytes, WrongContentTypes[random.Next(WrongContentTypes.Length)]);
            default: // huge-string: a long value within the body limit; every twentieth a body beyond the body limit, the rest a long value within it
                if (index / Mutations.Length % 20 != 0) return new(kind, Encoding.UTF8.GetBytes(ReplaceValue(seedBody, random, "\"" + new string('x', random.Next(16 * 1024)) + "\"", nested: true)), json);
                var huge = new byte[hugeBytes];
                Array.Fill(huge, (byte)'x');
                bytes.AsSpan(0, Math.Min(bytes.Length - 1, hugeBytes)).CopyTo(huge);
                return new(kind, huge, json);
        }
    }

    /// <summary>Inserts <paramref name="insert"/> just after a random double quote (inside a key or string value).</summary>
    private static byte[] InsertAfterQuote(byte[] bytes, byte[] insert, Random random)
    {
        var quotes = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'"').ToList();
        var at = quotes.Count == 0 ? 0 : quotes[random.Next(quotes.Count)] + 1;
        return [.. bytes[..at], .. insert, .. bytes[at..]];
    }

    /// <summary>Replaces one value of the seed (top-level, or anywhere when <paramref name="nested"/>) with raw JSON text.</summary>
    private static string ReplaceValue(string seedBody, Random random, string rawJson, bool nested)
    {
        var root = JsonNode.Parse(seedBody)!;
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots, nested);
        var marker = "__FUZZ_" + random.Next() + "__";
        var (parent, key) = slots[random.Next(slots.Count)];
        if (key is string property) parent[property] = JsonValue.Create(marker);
        else parent[(int)key] = JsonValue.Create(marker);
        return root.ToJsonString().Replace("\"" + marker + "\"", rawJson, StringComparison.Ordinal);
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots, bool nested)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    slots.Add((obj, key));
                    if (nested && child is not null) Collect(child, slots, nested);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, i));
                    if (nested && array[i] is { } child) Collect(child, slots, nested);
                }

                break;
        }
    }
}
