using Bunit;
using Portal.Core.Features.Catalog;
using Portal.Web.Components.Pages.Catalog;

namespace Portal.UnitTests.Web;

public sealed class ChannelHealthCellsTests : WebComponentTest
{
    [Theory]
    [InlineData(0, CircuitState.Closed, "正常")]
    [InlineData(12, CircuitState.Open, "已熔断")]
    [InlineData(0, CircuitState.HalfOpen, "半开（试探中）")]
    public void The_circuit_cell_shows_the_state_in_Chinese_with_or_without_recent_requests(int recent, CircuitState state, string expected)
    {
        var cells = Render<ChannelHealthCells>(p => p.Add(c => c.Health, new ChannelHealthSnapshot(Guid.NewGuid(), recent, 1, 120, state, null, null)));

        Assert.Equal(expected, cells.Find("[data-testid=channel-circuit]").TextContent.Trim());
        Assert.DoesNotContain("RenderFragment", cells.Markup);
    }

    [Fact]
    public void A_channel_never_seen_shows_dashes()
    {
        var cells = Render<ChannelHealthCells>(p => p.Add(c => c.Health, null));

        Assert.Empty(cells.FindAll("[data-testid=channel-circuit]"));
        Assert.Contains("—", cells.Markup);
    }
}
