using Portal.Relay.Tokens;

namespace Portal.Relay.Upstream;

/// <summary>A complete (non-streaming) simulated reply: wait <paramref name="Delay"/>, then answer 200 with <paramref name="Body"/>.</summary>
public sealed record SimulatedResponse(byte[] Body, TimeSpan Delay, TokenUsage Usage);

/// <summary>One simulated server-sent event: wait <paramref name="Delay"/>, then write <paramref name="Event"/> (a whole event, blank line included) and flush.</summary>
public readonly record struct SimulatedChunk(TimeSpan Delay, byte[] Event);

/// <summary>A simulated stream: its events in order (the last is <c>data: [DONE]</c>) and the usage it reports.</summary>
public sealed record SimulatedStream(IReadOnlyList<SimulatedChunk> Chunks, TokenUsage Usage);
