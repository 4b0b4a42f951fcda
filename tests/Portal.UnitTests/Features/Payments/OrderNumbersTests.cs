using Microsoft.Extensions.Time.Testing;
using Portal.Core.Features.Payments;

namespace Portal.UnitTests.Features.Payments;

public class OrderNumbersTests
{
    [Fact]
    public void Top_up_numbers_follow_alipays_rule_and_read_as_beijing_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 16, 30, 5, TimeSpan.Zero));
        var number = OrderNumbers.NewTopUp(clock);
        Assert.Matches("^TU20261129003005[A-Z2-9]{10}$", number);
        Assert.True(OrderNumbers.IsValid(number));
        Assert.NotEqual(number, OrderNumbers.NewTopUp(clock));
    }

    [Theory]
    [InlineData("")]
    [InlineData("TU-1")]
    [InlineData("订单1")]
    [InlineData("A B")]
    public void Anything_else_is_not_an_order_number(string text) => Assert.False(OrderNumbers.IsValid(text));

    [Fact]
    public void Sixty_four_characters_is_the_limit()
    {
        Assert.True(OrderNumbers.IsValid(new string('A', 64)));
        Assert.False(OrderNumbers.IsValid(new string('A', 65)));
    }
}
