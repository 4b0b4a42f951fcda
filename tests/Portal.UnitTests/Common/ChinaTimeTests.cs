using Microsoft.Extensions.Time.Testing;
using Portal.Core.Common;

namespace Portal.UnitTests.Common;

public sealed class ChinaTimeTests
{
    [Fact]
    public void The_day_changes_at_midnight_in_Shanghai_not_UTC()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 15, 59, 59, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 11, 28), ChinaTime.Today(clock));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new DateOnly(2026, 11, 29), ChinaTime.Today(clock));
    }

    [Fact]
    public void Formats_instants_in_Shanghai_time() =>
        Assert.Equal("2026-11-29 00:00:00", ChinaTime.Format(new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.Zero), seconds: true));
}
