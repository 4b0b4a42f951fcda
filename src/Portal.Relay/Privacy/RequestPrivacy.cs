using Microsoft.AspNetCore.Http;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.DataProtection;
using Portal.Relay.Auth;
using Portal.Relay.Catalog;
using Portal.Relay.Endpoints;
using Portal.Relay.Errors;
using Portal.Relay.Forwarding;
using Portal.Relay.Streaming;

namespace Portal.Relay.Privacy;

/// <summary>
/// The tenant data policy applied to one request (DESIGN §10): which channels it may use (no cross-border channel under
/// <c>NoCrossBorder</c>, nor when <c>Block</c> for cross-border channels found something), and the masked body for the
/// channels that get it. Made only for keys whose policy does something; the body is scanned only when some allowed
/// channel would need the mask. Holds the masked body and the placeholder map for the request's lifetime only.
/// </summary>
internal sealed class RequestPrivacy : IDisposable
{
    /// <summary>The header a client sends to have masked values put back into the answer.</summary>
    public const string RestoreHeader = "X-Portal-Pii-Restore";

    private readonly RelayDataPolicy _policy;
    private readonly bool _restore;
    private bool _domesticOnly;
    private PooledByteBuffer? _masked;

    private RequestPrivacy(RelayDataPolicy policy, bool restore)
    {
        _policy = policy;
        _restore = restore;
        _domesticOnly = policy.NoCrossBorder;
    }

    /// <summary>The request's masker when something was found (its counts go on the usage record).</summary>
    public PiiMasker? Masker { get; private set; }

    /// <summary>The masked body (only when <see cref="Masker"/> found something and the policy masks).</summary>
    public ReadOnlyMemory<byte> MaskedBody => _masked?.WrittenMemory ?? default;

    /// <summary>The surface's reading of the masked body (its canonical request, when the surface decodes up front).</summary>
    public SurfaceRequest? MaskedRequest { get; private set; }

    /// <summary>Kinds and counts found, for the usage record; null when nothing was found.</summary>
    public string? Findings => Masker is { FoundAny: true } masker ? masker.Counts.Encode() : null;

    /// <summary>
    /// Applies <paramref name="policy"/> to a request for <paramref name="model"/>: null privacy and a null error when the
    /// policy changes nothing for it; an error (403 no domestic channel, 400 blocked) when the request must be refused.
    /// </summary>
    public static RequestPrivacy Prepare(RelayDataPolicy policy, RelayModel model, RelaySurface surface, ReadOnlySpan<byte> body, HttpContext context, out OpenAiErrorResponse? refusal)
    {
        refusal = null;
        var restore = surface.Codec is not null && (policy.RestoreInAnswers || IsTrue(context.Request.Headers[RestoreHeader].ToString()));
        var privacy = new RequestPrivacy(policy, restore);
        if (!privacy.AnyRoute(model))
        {
            refusal = OpenAiErrors.CrossBorderForbidden(model.PublicId);
            return privacy;
        }

        if (policy.Pii == PiiHandling.Off) return privacy;
        if (policy.Scope == PiiScope.CrossBorderOnly && !model.Routes.Any(r => privacy.Allows(r.Channel.Settings) && r.Channel.Settings.Region == ChannelRegion.CrossBorder))
            return privacy;

        var masker = new PiiMasker();
        var masked = new PooledByteBuffer(body.Length + 256);
        if (!masker.MaskJson(body, masked) || !masker.FoundAny)
        {
            masked.Dispose();
            return privacy;
        }

        privacy.Masker = masker;
        if (policy.Pii == PiiHandling.Block)
        {
            masked.Dispose();
            var kinds = string.Join(", ", masker.Counts.Entries().Select(e => $"{e.Kind.Label()} ×{e.Count}"));
            if (policy.Scope == PiiScope.AllChannels)
            {
                refusal = OpenAiErrors.PiiBlocked(kinds);
                return privacy;
            }

            // Blocked for cross-border channels only: the request may still go to a domestic one, as it is.
            privacy._domesticOnly = true;
            if (!privacy.AnyRoute(model)) refusal = OpenAiErrors.PiiBlocked(kinds);
            return privacy;
        }

        privacy._masked = masked;
        privacy.MaskedRequest = surface.Shape(masked.WrittenSpan);
        return privacy;
    }

    private static bool IsTrue(string value) => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1";

    private bool AnyRoute(RelayModel model) => model.Routes.Any(r => Allows(r.Channel.Settings));

    /// <summary>False for a cross-border channel when the request must stay in China.</summary>
    public bool Allows(ChannelSettings channel) => !_domesticOnly || channel.Region == ChannelRegion.Domestic;

    /// <summary>True when <paramref name="channel"/> gets the masked body.</summary>
    public bool MasksFor(ChannelSettings channel) =>
        _masked is not null && (_policy.Scope == PiiScope.AllChannels || channel.Region == ChannelRegion.CrossBorder);

    /// <summary>True when the answer from <paramref name="channel"/> gets the masked values put back.</summary>
    public bool RestoresFor(ChannelSettings channel) => _restore && MasksFor(channel);

    public void Dispose() => _masked?.Dispose();
}
