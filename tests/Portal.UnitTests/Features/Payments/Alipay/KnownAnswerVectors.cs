using System.Text.Json;

namespace Portal.UnitTests.Features.Payments.Alipay;

/// <summary>Messages really signed by Alipay (copied from alipay-sdk-nodejs-all's tests, see the JSON's "source").</summary>
internal static class KnownAnswerVectors
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Features", "Payments", "Alipay", "known-answer-vectors.json"))));

    public static IEnumerable<object[]> NotifyNames() => Names("notify");

    public static IEnumerable<object[]> ResponseNames() => Names("response");

    public static JsonElement Notify(string name) => Find("notify", name);

    public static JsonElement Response(string name) => Find("response", name);

    public static List<KeyValuePair<string, string?>> Params(JsonElement vector) =>
        vector.GetProperty("params").EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.GetString())).ToList();

    private static IEnumerable<object[]> Names(string kind) =>
        Document.Value.RootElement.GetProperty(kind).EnumerateArray().Select(v => new object[] { v.GetProperty("name").GetString()! });

    private static JsonElement Find(string kind, string name) =>
        Document.Value.RootElement.GetProperty(kind).EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
}
