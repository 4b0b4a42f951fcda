using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Catalog;

/// <summary>One row of a channel's model mapping as typed: the public id and the upstream's id (blank = the same).</summary>
public sealed record ChannelModelMapping(string PublicModelId, string? UpstreamModelId);

/// <summary>What an operator fills in for a channel, shared by <see cref="CreateChannel"/> and <see cref="UpdateChannel"/>.</summary>
public interface IChannelFields
{
    string Name { get; }

    ChannelType Type { get; }

    /// <summary>Every type but the simulator: the absolute http(s) URL the relay appends the API's path to (<c>/chat/completions</c>, <c>/v1/messages</c> …).</summary>
    string? BaseUrl { get; }

    int Priority { get; }

    int Weight { get; }

    int ConnectTimeoutMs { get; }

    int FirstByteTimeoutMs { get; }

    int SimulatorLatencyMs { get; }

    int SimulatorTokensPerSecond { get; }

    int SimulatorFailurePerMille { get; }

    /// <summary>OpenAI-compatible only: the upstream serves <c>/responses</c> too.</summary>
    bool SupportsResponsesApi { get; }

    /// <summary>Azure OpenAI only: the <c>api-version</c>, e.g. <c>2024-10-21</c>.</summary>
    string? AzureApiVersion { get; }

    /// <summary>Simulator only: the wire format it answers in.</summary>
    WireFamily SimulatorWireFamily { get; }

    IReadOnlyList<ChannelModelMapping> Models { get; }

    /// <summary>Where the provider processes data (境内 / 境外).</summary>
    ChannelRegion Region { get; }

    /// <summary>The provider's country, ISO 3166-1 alpha-2 (blank = not stated).</summary>
    string? ProviderCountry { get; }
}

public sealed class ChannelFieldsValidator : AbstractValidator<IChannelFields>
{
    public ChannelFieldsValidator(IStringLocalizer<SharedResource> l)
    {
        RuleFor(c => c.Name).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(l["Enter a name for the channel."])
            .MaximumLength(100).WithMessage(l["The name is too long (at most 100 characters)."]);
        RuleFor(c => c.Type).IsInEnum();
        When(c => ChannelTypes.NeedsBaseUrl(c.Type), () =>
            RuleFor(c => c.BaseUrl).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter the upstream's base URL, e.g. https://api.openai.com/v1."])
                .MaximumLength(500).WithMessage(l["The URL is too long (at most 500 characters)."])
                .Must(ChannelUrls.IsValid).WithMessage(l["Enter an absolute http:// or https:// URL without query string, e.g. https://api.openai.com/v1."]));
        When(c => c.Type == ChannelType.AzureOpenAI, () =>
            RuleFor(c => c.AzureApiVersion).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter the Azure OpenAI api-version, e.g. 2024-10-21."])
                .Must(ChannelApiVersions.IsValid).WithMessage(l["The api-version is a date with an optional suffix, e.g. 2024-10-21 or 2025-01-01-preview."]));
        When(c => c.Type == ChannelType.Simulator, () => RuleFor(c => c.SimulatorWireFamily).IsInEnum());
        RuleFor(c => c.Region).IsInEnum();
        RuleFor(c => c.ProviderCountry).Must(ChannelCountries.IsValid).WithMessage(l["The provider country is a two-letter code such as CN or US."]);
        RuleFor(c => c.Priority).InclusiveBetween(0, 1000).WithMessage(l["The priority must be between 0 and 1000 (lower is tried first)."]);
        RuleFor(c => c.Weight).InclusiveBetween(1, 1000).WithMessage(l["The weight must be between 1 and 1000."]);
        RuleFor(c => c.ConnectTimeoutMs).InclusiveBetween(100, 60_000).WithMessage(l["The connect timeout must be between 100 and 60000 ms."]);
        RuleFor(c => c.FirstByteTimeoutMs).InclusiveBetween(1_000, 600_000).WithMessage(l["The first-byte timeout must be between 1000 and 600000 ms."]);
        When(c => c.Type == ChannelType.Simulator, () =>
        {
            RuleFor(c => c.SimulatorLatencyMs).InclusiveBetween(0, 60_000).WithMessage(l["The latency must be between 0 and 60000 ms."]);
            RuleFor(c => c.SimulatorTokensPerSecond).InclusiveBetween(0, 100_000).WithMessage(l["Tokens per second must be between 0 (as fast as possible) and 100000."]);
            RuleFor(c => c.SimulatorFailurePerMille).InclusiveBetween(0, 1000).WithMessage(l["The failure rate must be between 0 % and 100 %."]);
        });
        RuleFor(c => c.Models).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(l["Add at least one model this channel serves."])
            .Must(m => m.Count <= 500).WithMessage(l["Too many models (at most 500)."])
            .Must(m => m.Select(x => x.PublicModelId.Trim()).Distinct(StringComparer.Ordinal).Count() == m.Count).WithMessage(l["Each model can be mapped only once per channel."]);
        RuleForEach(c => c.Models).ChildRules(row =>
        {
            row.RuleFor(r => r.PublicModelId).Must(ModelIds.IsValid).WithMessage(l["Choose a model."]);
            row.RuleFor(r => r.UpstreamModelId).Must(u => u is null || (u.Trim().Length <= 200 && !u.Trim().Any(char.IsWhiteSpace)))
                .WithMessage(l["The upstream model id must be at most 200 characters without spaces."]);
        });
    }
}

public static class ChannelApiKeys
{
    /// <summary>An upstream key as typed into the write-only field: blank (none / keep) or one token without spaces.</summary>
    public static bool IsValid(string? key) => key is null || (key.Trim().Length <= 1000 && !key.Trim().Any(char.IsWhiteSpace));
}

public static class ChannelCountries
{
    /// <summary>Blank, or an ISO 3166-1 alpha-2 code (two letters, any case).</summary>
    public static bool IsValid(string? country) => string.IsNullOrWhiteSpace(country) || (country.Trim() is { Length: 2 } c && c.All(char.IsAsciiLetter));

    public static string? Normalize(string? country) => string.IsNullOrWhiteSpace(country) ? null : country.Trim().ToUpperInvariant();
}

public static class ChannelApiVersions
{
    /// <summary>An Azure <c>api-version</c>: <c>yyyy-MM-dd</c> with an optional <c>-preview</c>-style suffix of letters.</summary>
    public static bool IsValid(string? version) =>
        version?.Trim() is { Length: >= 10 and <= 40 } v
        && DateOnly.TryParseExact(v[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
        && (v.Length == 10 || (v[10] == '-' && v[11..].All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')));
}

public static class ChannelUrls
{
    public static bool IsValid(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0 && uri.Host.Length > 0;

    /// <summary>Trimmed, without a trailing slash: the relay appends <c>/chat/completions</c>.</summary>
    public static string Normalize(string url) => url.Trim().TrimEnd('/');
}

internal static class ChannelFieldsExtensions
{
    public static void ApplyTo(this IChannelFields fields, Channel channel)
    {
        channel.Name = fields.Name.Trim();
        channel.Type = fields.Type;
        channel.BaseUrl = ChannelTypes.NeedsBaseUrl(fields.Type) ? ChannelUrls.Normalize(fields.BaseUrl!) : null;
        channel.SupportsResponsesApi = fields.Type == ChannelType.OpenAICompatible && fields.SupportsResponsesApi;
        channel.AzureApiVersion = fields.Type == ChannelType.AzureOpenAI ? fields.AzureApiVersion!.Trim() : null;
        channel.SimulatorWireFamily = fields.Type == ChannelType.Simulator ? fields.SimulatorWireFamily : WireFamily.OpenAI;
        channel.Region = fields.Region;
        channel.ProviderCountry = ChannelCountries.Normalize(fields.ProviderCountry);
        channel.Priority = fields.Priority;
        channel.Weight = fields.Weight;
        channel.ConnectTimeoutMs = fields.ConnectTimeoutMs;
        channel.FirstByteTimeoutMs = fields.FirstByteTimeoutMs;
        if (fields.Type == ChannelType.Simulator)
        {
            channel.SimulatorLatencyMs = fields.SimulatorLatencyMs;
            channel.SimulatorTokensPerSecond = fields.SimulatorTokensPerSecond;
            channel.SimulatorFailurePerMille = fields.SimulatorFailurePerMille;
        }

        // Rows are matched by public id and changed in place, so the unique (channel, model) index never sees a duplicate.
        var wanted = fields.Models.ToDictionary(m => m.PublicModelId.Trim(), m => string.IsNullOrWhiteSpace(m.UpstreamModelId) ? m.PublicModelId.Trim() : m.UpstreamModelId.Trim(), StringComparer.Ordinal);
        channel.Models.RemoveAll(m => !wanted.ContainsKey(m.PublicModelId));
        foreach (var (publicId, upstreamId) in wanted)
        {
            var row = channel.Models.FirstOrDefault(m => m.PublicModelId == publicId);
            if (row is null) channel.Models.Add(new ChannelModel { Id = Ids.New(), ChannelId = channel.Id, PublicModelId = publicId, UpstreamModelId = upstreamId });
            else row.UpstreamModelId = upstreamId;
        }
    }

    /// <summary>A validation error naming the mapped models that are not in the catalog, or null.</summary>
    public static async Task<ValidationError?> CheckModelsExistAsync(this IChannelFields fields, PortalDbContext db, IStringLocalizer<SharedResource> l, CancellationToken cancellationToken)
    {
        var ids = fields.Models.Select(m => m.PublicModelId.Trim()).ToList();
        var known = await db.AiModels.Where(m => ids.Contains(m.PublicId)).Select(m => m.PublicId).ToListAsync(cancellationToken);
        var unknown = ids.Except(known, StringComparer.Ordinal).ToList();
        return unknown.Count == 0 ? null
            : new ValidationError(new Dictionary<string, string[]> { ["Models"] = [string.Format(l["Not in the model catalog: {0}."], string.Join(", ", unknown))] });
    }

    public static string Describe(this Channel channel) =>
        LocalizedText.Encode("{0} ({1}{2}), priority {3}, weight {4}, region {5}, timeouts {6} ms, models {7}{8}{9}{10}",
            channel.Name, LocalizedText.Term(channel.Type), channel.BaseUrl is null ? "" : " " + channel.BaseUrl,
            channel.Priority.ToString(CultureInfo.InvariantCulture), channel.Weight.ToString(CultureInfo.InvariantCulture),
            $"{channel.Region}{(channel.ProviderCountry is { } country ? " " + country : "")}",
            $"{channel.ConnectTimeoutMs}/{channel.FirstByteTimeoutMs}",
            string.Join(", ", channel.Models.Select(m => m.PublicModelId == m.UpstreamModelId ? m.PublicModelId : $"{m.PublicModelId}→{m.UpstreamModelId}")),
            channel.SupportsResponsesApi ? ", Responses API" : "", channel.AzureApiVersion is { } apiVersion ? $", api-version {apiVersion}" : "",
            channel.Type == ChannelType.Simulator
                ? LocalizedText.Encode(", simulator {0}, {1} ms, {2} tok/s, {3}‰ failures", channel.SimulatorWireFamily.ToString(),
                    channel.SimulatorLatencyMs.ToString(CultureInfo.InvariantCulture), channel.SimulatorTokensPerSecond.ToString(CultureInfo.InvariantCulture),
                    channel.SimulatorFailurePerMille.ToString(CultureInfo.InvariantCulture))
                : "");

    public static ValidationError NameTaken(IStringLocalizer<SharedResource> l, string name) =>
        new(new Dictionary<string, string[]> { ["Name"] = [string.Format(l["A channel named {0} already exists."], name)] });
}
