using Portal.Core.Features.Catalog;

namespace Portal.UnitTests.Features.Catalog;

public class ChannelValidatorTests
{
    private static readonly CreateChannel.Validator Validator = new(new EnglishLocalizer());

    private static readonly CreateChannel.Command Valid = new("OpenAI 主线路", ChannelType.OpenAICompatible, "https://api.openai.com/v1", "sk-upstream-1234", 0, 1, true,
        [new ChannelModelMapping("gpt-4o", "gpt-4o-2024-08-06"), new ChannelModelMapping("gpt-4o-mini", null)]);

    private static string[] Failing(CreateChannel.Command command) => Validator.Validate(command).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    [Fact]
    public void A_complete_openai_compatible_channel_is_valid() => Assert.Empty(Failing(Valid));

    [Theory]
    [InlineData("http://10.0.0.5:8000/v1")]
    [InlineData("https://api.deepseek.com")]
    [InlineData("https://gateway.example.cn/openai/v1/")]
    public void Absolute_http_and_https_urls_are_accepted(string url) => Assert.Empty(Failing(Valid with { BaseUrl = url }));

    [Theory]
    [InlineData("")]
    [InlineData("api.openai.com/v1")]
    [InlineData("/v1")]
    [InlineData("ftp://api.example.com/v1")]
    [InlineData("https://api.example.com/v1?key=1")]
    [InlineData("https://user:pass@api.example.com/v1")]
    public void Relative_non_http_or_credential_urls_are_refused(string url) => Assert.Equal(["BaseUrl"], Failing(Valid with { BaseUrl = url }));

    [Fact]
    public void A_simulator_needs_no_url_but_its_settings_are_bounded()
    {
        var simulator = Valid with { Type = ChannelType.Simulator, BaseUrl = null, ApiKey = null };
        Assert.Empty(Failing(simulator));
        Assert.Equal(["SimulatorFailurePerMille"], Failing(simulator with { SimulatorFailurePerMille = 1001 }));
        Assert.Equal(["SimulatorLatencyMs"], Failing(simulator with { SimulatorLatencyMs = -1 }));
        Assert.Equal(["SimulatorTokensPerSecond"], Failing(simulator with { SimulatorTokensPerSecond = -5 }));
    }

    [Fact]
    public void Weight_is_at_least_one_and_timeouts_are_bounded()
    {
        Assert.Equal(["Weight"], Failing(Valid with { Weight = 0 }));
        Assert.Equal(["Priority"], Failing(Valid with { Priority = -1 }));
        Assert.Equal(["ConnectTimeoutMs"], Failing(Valid with { ConnectTimeoutMs = 50 }));
        Assert.Equal(["FirstByteTimeoutMs"], Failing(Valid with { FirstByteTimeoutMs = 999 }));
    }

    [Fact]
    public void The_mapping_needs_a_model_and_each_model_once()
    {
        Assert.Equal(["Models"], Failing(Valid with { Models = [] }));
        Assert.Equal(["Models"], Failing(Valid with { Models = [new("gpt-4o", null), new("gpt-4o", "other")] }));
        Assert.Contains("Models[0].PublicModelId", Failing(Valid with { Models = [new("", null)] }));
        Assert.Contains("Models[0].UpstreamModelId", Failing(Valid with { Models = [new("gpt-4o", "has space")] }));
    }

    [Fact]
    public void The_upstream_key_is_one_token()
    {
        Assert.Equal(["ApiKey"], Failing(Valid with { ApiKey = "sk-abc def" }));
        Assert.Empty(Failing(Valid with { ApiKey = null }));
    }

    [Fact]
    public void Last4_is_what_the_ui_may_show() => Assert.Equal("1234", ChannelSecrets.Last4("sk-upstream-1234"));
}
