using Microsoft.Extensions.Time.Testing;
using Portal.Core.Features.ApiKeys;
using Portal.Relay.Keys;
using Portal.UnitTests.Features.Catalog;

namespace Portal.UnitTests.Features.ApiKeys;

public class ApiKeySettingsValidatorTests
{
    // 2026-11-28 10:00 in Beijing.
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero));
    private static readonly CreateApiKey.Validator Validator = new(new EnglishLocalizer(), new RelayApiKeyRules(), Clock);
    private static readonly CreateApiKey.Command Valid = new("生产服务器");

    private static string[] Failing(CreateApiKey.Command command) => Validator.Validate(command).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    [Fact]
    public void A_name_is_all_a_key_needs() => Assert.Empty(Failing(Valid));

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("203.0.113.0/24")]
    [InlineData("10.0.0.0/8, 192.168.1.0/24")]
    [InlineData("2001:db8::/32\n::1")]
    [InlineData("0.0.0.0/0；::/0")]
    public void IPv4_and_IPv6_addresses_and_blocks_are_accepted(string ranges) => Assert.Empty(Failing(Valid with { AllowedIpRanges = ranges }));

    [Theory]
    [InlineData("10.1")]
    [InlineData("10.0.0.1/8")]
    [InlineData("300.1.1.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("fe80::1%eth0")]
    [InlineData("example.com")]
    public void Malformed_or_ambiguous_entries_are_refused_naming_them(string entry)
    {
        var errors = Validator.Validate(Valid with { AllowedIpRanges = "203.0.113.7 " + entry }).Errors;
        var error = Assert.Single(errors);
        Assert.Equal("AllowedIpRanges", error.PropertyName);
        // Only the bad entry is named, not the good one before it.
        Assert.StartsWith($"Not an IPv4 or IPv6 address or CIDR block: {entry}. ", error.ErrorMessage);
    }

    [Fact]
    public void Entries_are_stored_in_the_relays_normal_form()
    {
        var rules = new RelayApiKeyRules();
        Assert.Equal("203.0.113.7/32", rules.NormalizeIpRange("203.0.113.7").Value);
        Assert.Equal("2001:db8::/32", rules.NormalizeIpRange(" 2001:DB8::/32 ").Value);
    }

    [Fact]
    public void Rate_limit_is_at_least_one_and_budget_zero_or_more_in_fen()
    {
        Assert.Equal(["RequestsPerMinute"], Failing(Valid with { RequestsPerMinute = 0 }));
        Assert.Empty(Failing(Valid with { RequestsPerMinute = 1 }));
        Assert.Empty(Failing(Valid with { MonthlyBudget = "0" }));
        Assert.Empty(Failing(Valid with { MonthlyBudget = "¥1,000.50" }));
        Assert.Equal(["MonthlyBudget"], Failing(Valid with { MonthlyBudget = "-1" }));
        Assert.Equal(["MonthlyBudget"], Failing(Valid with { MonthlyBudget = "1.001" }));
        Assert.Equal(["MonthlyBudget"], Failing(Valid with { MonthlyBudget = "一百" }));
    }

    [Fact]
    public void Expiry_is_today_or_later_in_Beijing()
    {
        Assert.Empty(Failing(Valid with { ExpiresOn = new DateOnly(2026, 11, 28) }));
        Assert.Equal(["ExpiresOn"], Failing(Valid with { ExpiresOn = new DateOnly(2026, 11, 27) }));
    }

    [Fact]
    public void A_key_valid_through_a_day_stops_at_the_next_Beijing_midnight()
    {
        var expiresAt = ApiKeySettingsRules.ExpiryInstant(new DateOnly(2026, 12, 31));
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 16, 0, 0, TimeSpan.Zero), expiresAt);
        Assert.Equal(new DateOnly(2026, 12, 31), ApiKeySettingsRules.LastDay(expiresAt));
    }

    [Fact]
    public void The_spend_month_is_the_Beijing_month()
    {
        // 2026-11-30 17:00 UTC is already December 1st in Beijing.
        Assert.Equal(202612, ApiKeySettingsRules.MonthOf(new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero)));
        Assert.Equal(202611, ApiKeySettingsRules.MonthOf(new DateTimeOffset(2026, 11, 30, 15, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void New_secrets_have_the_relays_format_and_are_stored_as_its_hash()
    {
        var secret = new RelayApiKeyRules().NewSecret();
        Assert.Matches("^sk-cn-[0-9A-Za-z]{48}$", secret.Secret);
        Assert.Equal(ApiKeyFormat.Hash(secret.Secret), secret.Hash);
        Assert.Matches("^[0-9a-f]{64}$", secret.Hash);
        Assert.Equal(ApiKeyFormat.Prefix(secret.Secret), secret.Prefix);
        Assert.DoesNotContain(secret.Secret[10..50], secret.Prefix);
    }
}
