using Portal.Core.Features.Catalog;
using Portal.Relay;
using Portal.Relay.Billing;
using Portal.Relay.Catalog;
using Portal.Relay.Forwarding;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Catalog;

public sealed class AttemptOrderTests
{
    private static ChannelRoute Route(string name, int priority, int weight)
    {
        var channel = new Channel { Id = Guid.NewGuid(), Name = name, Type = ChannelType.Simulator };
        return new ChannelRoute(new ChannelRuntime(ChannelSettings.From(channel, null), new RelayOptions(), TimeProvider.System), name, priority, weight);
    }

    private static RelayModel Model(params ChannelRoute[] routes) => new()
    {
        PublicId = "m",
        Kind = ModelKind.Chat,
        Prices = default(ModelPrices),
        DefaultHoldOutputTokens = 1,
        Encoding = TokenEncoding.O200kBase,
        CreatedAt = DateTimeOffset.UnixEpoch,
        Routes = [.. routes.OrderBy(r => r.Priority)],
    };

    [Fact]
    public void Lower_priority_numbers_are_always_tried_first()
    {
        var model = Model(Route("a", 0, 1), Route("b", 0, 5), Route("c", 1, 100), Route("d", 2, 1));
        for (var i = 0; i < 200; i++)
        {
            var order = model.AttemptOrder();
            Assert.Equal(4, order.Length);
            Assert.Equal([0, 0, 1, 2], order.Select(r => r.Priority));
            Assert.Equal(4, order.Select(r => r.UpstreamModelId).Distinct().Count());
        }
    }

    [Fact]
    public void Within_a_priority_channels_come_first_in_proportion_to_their_weight()
    {
        var model = Model(Route("light", 0, 1), Route("heavy", 0, 3));
        var heavyFirst = Enumerable.Range(0, 20_000).Count(_ => model.AttemptOrder()[0].UpstreamModelId == "heavy");
        Assert.InRange(heavyFirst / 20_000.0, 0.72, 0.78);
    }
}
