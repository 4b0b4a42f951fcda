using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Catalog;

/// <summary>
/// A PlatformAdmin changes a model's name, prices or limits. The public id is fixed once created (keys and channels
/// refer to it). A new price applies to requests admitted afterwards: usage records keep the prices they were
/// charged at, and nothing already recorded is touched. Audited with the old and new prices.
/// </summary>
public static class UpdateModel
{
    public sealed record Command(
        Guid Id,
        string DisplayName,
        ModelKind Kind,
        string InputPrice,
        string OutputPrice,
        string CachedInputPrice,
        int ContextWindow,
        int MaxOutputTokens,
        int DefaultHoldOutputTokens,
        ModelTokenizer Tokenizer,
        int SortOrder = 0,
        string? CacheWritePrice = null,
        bool SupportsTools = true,
        bool SupportsVision = true,
        bool SupportsJsonMode = true) : IModelFields;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l) => Include(new ModelFieldsValidator(l));
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        IValidator<Command> validator,
        AuditLog audit,
        IRelayCache relayCache,
        TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!(await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin)).IsSuccess) return CatalogErrors.AdminsOnly;
            var model = await db.AiModels.FirstOrDefaultAsync(m => m.Id == command.Id, cancellationToken);
            if (model is null) return CatalogErrors.ModelNotFound;

            var before = new AiModel
            {
                InputPricePerMillionMicroYuan = model.InputPricePerMillionMicroYuan,
                OutputPricePerMillionMicroYuan = model.OutputPricePerMillionMicroYuan,
                CachedInputPricePerMillionMicroYuan = model.CachedInputPricePerMillionMicroYuan,
            };
            command.ApplyTo(model);
            if (!db.ChangeTracker.HasChanges()) return Unit.Value;
            model.UpdatedAt = clock.GetUtcNow();
            var prices = ModelFieldsExtensions.PriceChanges(before, model);
            audit.Add(db, prices.Length > 0 ? "catalog.model_prices_changed" : "catalog.model_updated", nameof(AiModel), model.Id,
                LocalizedText.Encode(prices.Length > 0 ? "{0}: {1} per 1M tokens" : "{0}: {1}, context {2}, max output {3}, hold {4}", model.PublicId, prices.Length > 0 ? prices : model.DisplayName, model.ContextWindow.ToString(CultureInfo.InvariantCulture), model.MaxOutputTokens.ToString(CultureInfo.InvariantCulture), model.DefaultHoldOutputTokens.ToString(CultureInfo.InvariantCulture)),
                null);
            await db.SaveChangesAsync(cancellationToken);
            relayCache.CatalogChanged();
            return Unit.Value;
        }
    }
}
