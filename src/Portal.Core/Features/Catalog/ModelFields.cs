using FluentValidation;
using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.Core.Features.Catalog;

/// <summary>What an operator fills in for a model, shared by <see cref="CreateModel"/> and <see cref="UpdateModel"/>. Prices are yuan per 1M tokens as typed.</summary>
public interface IModelFields
{
    string DisplayName { get; }

    ModelKind Kind { get; }

    string InputPrice { get; }

    /// <summary>Chat models only (embeddings are stored with 0).</summary>
    string OutputPrice { get; }

    string CachedInputPrice { get; }

    /// <summary>Chat models only: the price of prompt tokens written to the upstream's cache; blank = the input price.</summary>
    string? CacheWritePrice { get; }

    bool SupportsTools { get; }

    bool SupportsVision { get; }

    bool SupportsJsonMode { get; }

    int ContextWindow { get; }

    /// <summary>Chat models only; embeddings produce no output tokens.</summary>
    int MaxOutputTokens { get; }

    /// <summary>Chat models only.</summary>
    int DefaultHoldOutputTokens { get; }

    ModelTokenizer Tokenizer { get; }

    int SortOrder { get; }
}

public sealed class ModelFieldsValidator : AbstractValidator<IModelFields>
{
    public ModelFieldsValidator(IStringLocalizer<SharedResource> l)
    {
        RuleFor(m => m.DisplayName).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(l["Enter a display name."])
            .MaximumLength(200).WithMessage(l["The display name is too long (at most 200 characters)."]);
        RuleFor(m => m.Kind).IsInEnum();
        RuleFor(m => m.Tokenizer).IsInEnum();
        var price = l["Enter a price in yuan per 1M tokens, zero or more, with at most 6 decimals (e.g. 21 or 0.525)."].Value;
        RuleFor(m => m.InputPrice).Must(p => CatalogPrices.TryParse(p, out _)).WithMessage(price);
        RuleFor(m => m.OutputPrice).Must(p => CatalogPrices.TryParse(p, out _)).WithMessage(price).When(m => m.Kind == ModelKind.Chat);
        RuleFor(m => m.CachedInputPrice).Must(p => CatalogPrices.TryParse(p, out _)).WithMessage(price);
        RuleFor(m => m.CacheWritePrice).Must(p => string.IsNullOrWhiteSpace(p) || CatalogPrices.TryParse(p, out _)).WithMessage(price).When(m => m.Kind == ModelKind.Chat);
        RuleFor(m => m.ContextWindow).InclusiveBetween(1, 100_000_000).WithMessage(l["The context window must be a positive number of tokens."]);
        When(m => m.Kind == ModelKind.Chat, () =>
        {
            RuleFor(m => m.MaxOutputTokens).Cascade(CascadeMode.Stop)
                .GreaterThan(0).WithMessage(l["Max output tokens must be a positive number."])
                .Must((m, max) => max <= m.ContextWindow).WithMessage(l["Max output tokens cannot exceed the context window."]);
            RuleFor(m => m.DefaultHoldOutputTokens).Cascade(CascadeMode.Stop)
                .GreaterThan(0).WithMessage(l["The default hold must be a positive number of tokens."])
                .Must((m, hold) => hold <= m.MaxOutputTokens).WithMessage(l["The default hold cannot exceed max output tokens."]);
        });
        RuleFor(m => m.SortOrder).InclusiveBetween(0, 100_000).WithMessage(l["The sort order must be between 0 and 100000."]);
    }
}

internal static class ModelFieldsExtensions
{
    /// <summary>Copies validated fields onto the entity. Embeddings have no output: price 0, and 1 output token (the database requires a positive hold).</summary>
    public static void ApplyTo(this IModelFields fields, AiModel model)
    {
        model.DisplayName = fields.DisplayName.Trim();
        model.Kind = fields.Kind;
        CatalogPrices.TryParse(fields.InputPrice, out var input);
        var output = 0L;
        if (fields.Kind == ModelKind.Chat) CatalogPrices.TryParse(fields.OutputPrice, out output);
        CatalogPrices.TryParse(fields.CachedInputPrice, out var cached);
        long? cacheWrite = null;
        if (fields.Kind == ModelKind.Chat && !string.IsNullOrWhiteSpace(fields.CacheWritePrice) && CatalogPrices.TryParse(fields.CacheWritePrice, out var written)) cacheWrite = written;
        model.CacheWritePricePerMillionMicroYuan = cacheWrite;
        model.SupportsTools = fields.Kind == ModelKind.Chat && fields.SupportsTools;
        model.SupportsVision = fields.Kind == ModelKind.Chat && fields.SupportsVision;
        model.SupportsJsonMode = fields.Kind == ModelKind.Chat && fields.SupportsJsonMode;
        model.InputPricePerMillionMicroYuan = input;
        model.OutputPricePerMillionMicroYuan = output;
        model.CachedInputPricePerMillionMicroYuan = cached;
        model.ContextWindow = fields.ContextWindow;
        model.MaxOutputTokens = fields.Kind == ModelKind.Chat ? fields.MaxOutputTokens : 1;
        model.DefaultHoldOutputTokens = fields.Kind == ModelKind.Chat ? fields.DefaultHoldOutputTokens : 1;
        model.Tokenizer = fields.Tokenizer;
        model.SortOrder = fields.SortOrder;
    }

    /// <summary>"input ¥21.00 → ¥25.00, output …" for the audit log; empty when no price changed.</summary>
    public static string PriceChanges(AiModel before, AiModel after)
    {
        var parts = new List<string>();
        if (before.InputPricePerMillionMicroYuan != after.InputPricePerMillionMicroYuan)
            parts.Add($"input {CatalogPrices.Format(before.InputPricePerMillionMicroYuan)} → {CatalogPrices.Format(after.InputPricePerMillionMicroYuan)}");
        if (before.OutputPricePerMillionMicroYuan != after.OutputPricePerMillionMicroYuan)
            parts.Add($"output {CatalogPrices.Format(before.OutputPricePerMillionMicroYuan)} → {CatalogPrices.Format(after.OutputPricePerMillionMicroYuan)}");
        if (before.CachedInputPricePerMillionMicroYuan != after.CachedInputPricePerMillionMicroYuan)
            parts.Add($"cached input {CatalogPrices.Format(before.CachedInputPricePerMillionMicroYuan)} → {CatalogPrices.Format(after.CachedInputPricePerMillionMicroYuan)}");
        if (before.CacheWritePricePerMillionMicroYuan != after.CacheWritePricePerMillionMicroYuan)
            parts.Add($"cache write {CatalogPrices.Format(before.CacheWritePricePerMillionMicroYuan ?? before.InputPricePerMillionMicroYuan)} → {CatalogPrices.Format(after.CacheWritePricePerMillionMicroYuan ?? after.InputPricePerMillionMicroYuan)}");
        return string.Join(", ", parts);
    }
}
