using System.Net;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Usage.Alerts;

namespace Portal.UnitTests.Features.Usage;

public class CsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line1\nline2", "\"line1\nline2\"")]
    [InlineData("cr\r", "\"cr\r\"")]
    [InlineData(" padded ", "\" padded \"")]
    [InlineData("中文密钥", "中文密钥")]
    [InlineData("", "")]
    public void Fields_are_quoted_as_RFC_4180_says(string value, string expected) => Assert.Equal(expected, Csv.Field(value));

    [Theory]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("+1", "'+1")]
    [InlineData("-x", "'-x")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("=a,b", "\"'=a,b\"")]
    public void Typed_text_that_looks_like_a_formula_is_defused(string value, string expected) => Assert.Equal(expected, Csv.Field(value, untrusted: true));

    [Fact]
    public void The_encoding_writes_a_byte_order_mark() => Assert.Equal([0xEF, 0xBB, 0xBF], Csv.Utf8WithBom.GetPreamble());
}

public class UsageBucketsTests
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    [Fact]
    public void A_second_before_Beijing_midnight_and_midnight_fall_on_different_days()
    {
        Assert.Equal(20261130, UsageBuckets.DayOf(new DateTimeOffset(2026, 11, 30, 23, 59, 59, Beijing)));
        Assert.Equal(20261201, UsageBuckets.DayOf(new DateTimeOffset(2026, 12, 1, 0, 0, 0, Beijing)));
        // 16:00 UTC is midnight in Beijing.
        Assert.Equal(20261201, UsageBuckets.DayOf(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal(2026113023, UsageBuckets.HourOf(new DateTimeOffset(2026, 11, 30, 15, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void Day_keys_round_trip_and_months_have_their_length()
    {
        Assert.Equal(new DateOnly(2028, 2, 29), UsageBuckets.DayFromKey(UsageBuckets.DayKey(new DateOnly(2028, 2, 29))));
        Assert.Equal((new DateOnly(2028, 2, 1), new DateOnly(2028, 2, 29)), UsageBuckets.MonthOf(new DateOnly(2028, 2, 17)));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), UsageBuckets.StartOf(new DateOnly(2026, 12, 1)));
    }

    [Fact]
    public void Chart_series_keep_the_biggest_models_and_sum_the_rest()
    {
        var from = new DateOnly(2026, 11, 1);
        var points = Enumerable.Range(0, 9).Select(i => (UsageBuckets.DayKey(from.AddDays(i % 3)), $"m{i}", (long)(100 - i)));
        var series = UsageQueries.Series(from, from.AddDays(2), points);
        Assert.Equal(3, series.Days.Count);
        Assert.Equal(UsageQueries.MaxChartSeries, series.Series.Count);
        Assert.Equal(UsageQueries.OtherSeries, series.Series[^1].Name);
        Assert.Equal(Enumerable.Range(0, 9).Sum(i => 100 - i), series.Series.Sum(s => s.Values.Sum()));
    }
}

public class WebhookTests
{
    [Fact]
    public void A_signature_verifies_only_with_the_secret_the_body_and_a_fresh_timestamp()
    {
        var now = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        var header = WebhookSignature.Sign("whsec_test", now.ToUnixTimeSeconds(), "{\"a\":1}");
        Assert.Matches("^t=\\d+,v1=[0-9a-f]{64}$", header);
        Assert.True(WebhookSignature.Verify("whsec_test", header, "{\"a\":1}", now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_other", header, "{\"a\":1}", now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test", header, "{\"a\":2}", now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test", header, "{\"a\":1}", now.AddMinutes(6), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test", "garbage", "{\"a\":1}", now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void The_signature_is_hmac_sha256_over_timestamp_dot_body()
    {
        // Known answer: HMAC-SHA256(key "secret", "1700000000.{}"), computed independently with openssl.
        Assert.Equal("t=1700000000,v1=" + KnownAnswer, WebhookSignature.Sign("secret", 1700000000, "{}"));
    }

    private const string KnownAnswer = "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163";

    [Theory]
    [InlineData("https://hooks.example.com/portal", true, null)]
    [InlineData("http://hooks.example.com/portal", true, WebhookUrlPolicy.InvalidMessage)]
    [InlineData("http://localhost:5000/hook", false, null)]
    [InlineData("http://127.0.0.1:5000/hook", false, null)]
    [InlineData("http://localhost:5000/hook", true, WebhookUrlPolicy.InvalidMessage)]
    [InlineData("https://localhost/hook", true, WebhookUrlPolicy.InternalMessage)]
    [InlineData("https://10.0.0.5/hook", true, WebhookUrlPolicy.InternalMessage)]
    [InlineData("https://192.168.1.1/hook", true, WebhookUrlPolicy.InternalMessage)]
    [InlineData("https://169.254.169.254/latest/meta-data", true, WebhookUrlPolicy.InternalMessage)]
    [InlineData("https://[::1]/hook", true, WebhookUrlPolicy.InternalMessage)]
    [InlineData("https://[fd00::1]/hook", true, WebhookUrlPolicy.InternalMessage)]
    [InlineData("https://user:pass@example.com/hook", true, WebhookUrlPolicy.InvalidMessage)]
    [InlineData("ftp://example.com/hook", false, WebhookUrlPolicy.InvalidMessage)]
    [InlineData("not a url", false, WebhookUrlPolicy.InvalidMessage)]
    public void Webhook_urls_must_be_https_and_public_in_production(string url, bool production, string? expected) =>
        Assert.Equal(expected, WebhookUrlPolicy.Check(url, production));

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("100.64.0.1", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("2001:4860:4860::8888", true)]
    public void Resolved_addresses_must_be_public(string address, bool expected) => Assert.Equal(expected, WebhookUrlPolicy.IsPublic(IPAddress.Parse(address)));
}
