namespace Portal.IntegrationTests.Infrastructure;

/// <summary>The fake Anthropic upstream as an xUnit class fixture: started once per test class.</summary>
public sealed partial class FakeAnthropicUpstream : IAsyncLifetime
{
    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync() => StopAsync();
}
