using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipayOptionsTests
{
    [Theory]
    [InlineData(AlipayMode.Production, "https://openapi.alipay.com/gateway.do")]
    [InlineData(AlipayMode.Sandbox, "https://openapi-sandbox.dl.alipaydev.com/gateway.do")]
    public void Empty_gateway_resolves_to_the_modes_gateway(AlipayMode mode, string expected) =>
        Assert.Equal(expected, new AlipayOptions { Mode = mode, Gateway = " " }.ResolveGateway());

    [Fact]
    public void Gateway_override_wins() =>
        Assert.Equal(
            "https://sim.example/gateway.do",
            new AlipayOptions { Mode = AlipayMode.Sandbox, Gateway = "https://sim.example/gateway.do" }.ResolveGateway());

    [Fact]
    public void Simulator_without_gateway_cannot_resolve() =>
        Assert.Throws<InvalidOperationException>(() => new AlipayOptions { Mode = AlipayMode.Simulator }.ResolveGateway());

    [Theory]
    [InlineData(AlipayMode.Sandbox)]
    [InlineData(AlipayMode.Production)]
    public void Real_gateways_require_app_id_and_both_keys(AlipayMode mode)
    {
        Assert.Equal(
            ["Alipay:AppId", "Alipay:PrivateKey", "Alipay:AlipayPublicKey"],
            new AlipayOptions { Mode = mode }.MissingKeys());
        Assert.Equal(
            ["Alipay:AlipayPublicKey"],
            new AlipayOptions { Mode = mode, AppId = "2021", PrivateKey = "k" }.MissingKeys());
        Assert.Empty(new AlipayOptions { Mode = mode, AppId = "2021", PrivateKey = "k", AlipayPublicKey = "p" }.MissingKeys());
    }

    [Fact]
    public void Simulator_only_requires_a_gateway()
    {
        Assert.Equal(["Alipay:Gateway"], new AlipayOptions { Mode = AlipayMode.Simulator }.MissingKeys());
        Assert.Empty(new AlipayOptions { Mode = AlipayMode.Simulator, Gateway = "http://localhost/sim" }.MissingKeys());
    }
}
