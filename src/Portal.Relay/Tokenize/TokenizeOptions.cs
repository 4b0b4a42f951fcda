using System.ComponentModel.DataAnnotations;

namespace Portal.Relay.Tokenize;

/// <summary><c>Tokenize:*</c>: limits of the free <c>POST /v1/tokenize</c>.</summary>
public sealed class TokenizeOptions
{
    public const string Section = "Tokenize";

    /// <summary>Requests per minute per API key (separate from the key's own relay limit).</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>Largest body accepted; larger ones get 413.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
