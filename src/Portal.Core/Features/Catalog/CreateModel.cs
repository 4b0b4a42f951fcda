using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Localization;

namespace Portal.Core.Features.Catalog;

/// <summary>A PlatformAdmin adds a model customers may call, with its prices. Audited; the relay's catalog cache is told.</summary>
public static class CreateModel
{
    public sealed record Command(
        string PublicId,
        string DisplayName,
        ModelKind Kind,
        string InputPrice,
        string OutputPrice,
        string CachedInputPrice,
        int ContextWindow,
        int MaxOutputTokens,
        int DefaultHoldOutputTokens,
        ModelTokenizer Tokenizer,
        bool Enabled,
        int SortOrder = 0,
        string? CacheWritePrice = null,
        bool SupportsTools = true,
        bool SupportsVision = true,
        bool SupportsJsonMode = true) : IModelFields;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.PublicId).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter the model id clients send, e.g. gpt-4o."])
                .Must(ModelIds.IsValid).WithMessage(l["Use 1–100 letters, digits and . _ : / - only."]);
            Include(new ModelFieldsValidator(l));
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        IValidator<Command> validator,
        IStringLocalizer<SharedResource> l,
        AuditLog audit,
        IRelayCache relayCache,
        TimeProvider clock)
    {
        public async Task<Result<Guid>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!(await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin)).IsSuccess) return CatalogErrors.AdminsOnly;

            var publicId = command.PublicId.Trim();
            var taken = ModelIds.Taken(l, publicId);
            if (await db.AiModels.AnyAsync(m => m.PublicId == publicId, cancellationToken)) return taken;

            var now = clock.GetUtcNow();
            var model = new AiModel { Id = Ids.New(), PublicId = publicId, Enabled = command.Enabled, CreatedAt = now, UpdatedAt = now };
            command.ApplyTo(model);
            db.AiModels.Add(model);
            audit.Add(db, "catalog.model_created", nameof(AiModel), model.Id,
                LocalizedText.Encode(model.Enabled ? "{0}: input {1}, output {2}, cached input {3} per 1M tokens" : "{0}: input {1}, output {2}, cached input {3} per 1M tokens (disabled)", model.PublicId, CatalogPrices.Format(model.InputPricePerMillionMicroYuan), CatalogPrices.Format(model.OutputPricePerMillionMicroYuan), CatalogPrices.Format(model.CachedInputPricePerMillionMicroYuan)),
                null);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: the unique index on public_id decides between two operators adding the same id at once.
                return taken;
            }

            relayCache.CatalogChanged();
            return model.Id;
        }
    }
}

/// <summary>Public model ids: what clients put in <c>model</c>.</summary>
public static partial class ModelIds
{
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id.Trim());

    internal static ValidationError Taken(IStringLocalizer<SharedResource> l, string publicId) =>
        new(new Dictionary<string, string[]> { ["PublicId"] = [string.Format(l["A model with the id {0} already exists."], publicId)] });

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._:/-]{1,100}$")]
    private static partial System.Text.RegularExpressions.Regex Pattern();
}
