using Microsoft.AspNetCore.Http;
using Portal.Relay.Keys;

namespace Portal.UnitTests.Relay.Keys;

public class ApiKeyFormatTests
{
    [Fact]
    public void Generated_key_has_prefix_and_48_base62_characters()
    {
        var key = ApiKeyFormat.Generate();

        Assert.Equal(54, key.Length);
        Assert.StartsWith("sk-cn-", key, StringComparison.Ordinal);
        Assert.All(key[6..], c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        Assert.True(ApiKeyFormat.TryParse(key, out var parsed));
        Assert.Equal(key, parsed.ToString());
    }

    [Fact]
    public void Generated_keys_are_unique()
    {
        var keys = Enumerable.Range(0, 10_000).Select(_ => ApiKeyFormat.Generate()).ToHashSet();

        Assert.Equal(10_000, keys.Count);
    }

    [Fact]
    public void Generated_characters_are_uniform_over_the_alphabet()
    {
        // 4,000 keys × 48 = 192,000 draws, ~3,097 per symbol. Modulo bias (256 % 62) would give the first 8 symbols
        // 5/4 of the others' share (~+25%); rejection sampling keeps every symbol within a few percent.
        var counts = new Dictionary<char, int>();
        for (var i = 0; i < 4_000; i++)
        {
            foreach (var c in ApiKeyFormat.Generate().AsSpan(6)) counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        Assert.Equal(62, counts.Count);
        var expected = 4_000 * 48 / 62.0;
        Assert.All(counts.Values, n => Assert.InRange(n, expected * 0.9, expected * 1.1));
        var firstEight = "01234567".Average(c => counts[c]);
        var rest = counts.Where(kv => !"01234567".Contains(kv.Key)).Average(kv => kv.Value);
        Assert.InRange(firstEight / rest, 0.95, 1.05);
    }

    [Fact]
    public void Hash_is_lowercase_sha256_hex()
    {
        // sha256("abc"), the FIPS 180-2 test vector.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyFormat.Hash("abc"));
        var key = ApiKeyFormat.Generate();
        Assert.Equal(ApiKeyFormat.Hash(key), ApiKeyFormat.Hash(key.AsSpan()));
        Assert.Matches("^[0-9a-f]{64}$", ApiKeyFormat.Hash(key));
    }

    [Fact]
    public void Prefix_shows_the_first_and_last_four_random_characters()
    {
        const string key = "sk-cn-AbCd1234567890123456789012345678901234567890wxyz";

        Assert.Equal("sk-cn-AbCd…wxyz", ApiKeyFormat.Prefix(key));
        Assert.Equal("sk-cn-…", ApiKeyFormat.Prefix("sk-cn-abc"));
    }

    [Theory]
    [InlineData("sk-cn-AbCd1234567890123456789012345678901234567890wxyz", true)]
    [InlineData("  sk-cn-AbCd1234567890123456789012345678901234567890wxyz \t", true)]
    [InlineData("sk-cn-AbCd1234567890123456789012345678901234567890wxy", false)] // 47
    [InlineData("sk-cn-AbCd1234567890123456789012345678901234567890wxyzz", false)] // 49
    [InlineData("sk-xx-AbCd1234567890123456789012345678901234567890wxyz", false)]
    [InlineData("sk-cn-AbCd12345678901234567890123456789012345678-0wxyz", false)]
    [InlineData("sk-cn-AbCd123456789012345678901234567890123456789ñwxyz", false)]
    [InlineData("SK-CN-AbCd1234567890123456789012345678901234567890wxyz", false)]
    [InlineData("", false)]
    [InlineData("sk-proj-abc", false)]
    public void TryParse_accepts_only_the_key_shape(string candidate, bool expected)
    {
        Assert.Equal(expected, ApiKeyFormat.TryParse(candidate, out var key));
        if (expected) Assert.Equal(54, key.Length);
    }

    [Fact]
    public void TryParse_does_not_allocate()
    {
        const string candidate = "sk-cn-AbCd1234567890123456789012345678901234567890wxyz";
        ApiKeyFormat.TryParse(candidate, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) ApiKeyFormat.TryParse(candidate, out _);

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void FromHeaders_reads_bearer_token()
    {
        var headers = new HeaderDictionary { ["Authorization"] = "Bearer sk-cn-abc" };

        Assert.Equal("sk-cn-abc", ApiKeyFormat.FromHeaders(headers).ToString());
    }

    [Fact]
    public void FromHeaders_bearer_scheme_is_case_insensitive()
    {
        var headers = new HeaderDictionary { ["Authorization"] = "bearer   sk-cn-abc  " };

        Assert.Equal("sk-cn-abc", ApiKeyFormat.FromHeaders(headers).ToString());
    }

    [Fact]
    public void FromHeaders_falls_back_to_x_api_key()
    {
        var headers = new HeaderDictionary { ["Authorization"] = "Basic dXNlcjpwYXNz", ["x-api-key"] = "sk-cn-xyz" };

        Assert.Equal("sk-cn-xyz", ApiKeyFormat.FromHeaders(headers).ToString());
    }

    [Fact]
    public void FromHeaders_prefers_authorization_over_x_api_key()
    {
        var headers = new HeaderDictionary { ["Authorization"] = "Bearer sk-cn-a", ["x-api-key"] = "sk-cn-b" };

        Assert.Equal("sk-cn-a", ApiKeyFormat.FromHeaders(headers).ToString());
    }

    [Fact]
    public void FromHeaders_without_credentials_is_empty()
    {
        Assert.True(ApiKeyFormat.FromHeaders(new HeaderDictionary()).IsEmpty);
        Assert.True(ApiKeyFormat.FromHeaders(new HeaderDictionary { ["Authorization"] = "Bearer" }).IsEmpty);
    }
}
