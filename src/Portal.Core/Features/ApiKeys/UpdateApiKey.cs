using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.ApiKeys;

/// <summary>
/// An Owner, Admin or Developer changes a key's name and limits (expiry, models, IP allowlist, rate limit, monthly
/// budget). A revoked key cannot be changed; a key of another tenant is not found. Audited; the relay drops its cached
/// copy of the key at once.
/// </summary>
public static class UpdateApiKey
{
    public sealed record Command(
        Guid Id,
        string Name,
        DateOnly? ExpiresOn = null,
        IReadOnlyList<string>? AllowedModelIds = null,
        string? AllowedIpRanges = null,
        int? RequestsPerMinute = null,
        string? MonthlyBudget = null) : IApiKeySettings
    {
        public IReadOnlyList<string> AllowedModels => AllowedModelIds ?? [];
    }

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l, IApiKeyRules rules) => Include(new ApiKeySettingsValidator(l, rules));
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        IKycGate kyc,
        IValidator<Command> validator,
        IApiKeyRules rules,
        IStringLocalizer<SharedResource> l,
        AuditLog audit,
        IRelayCache relayCache,
        TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, ApiKeySettingsRules.ManagingRoles);
            if (!member.IsSuccess) return member.Error.Code == "Auth.Forbidden" ? ApiKeyErrors.RolesOnly : member.Error;
            // The tenant filter hides other tenants' keys: their id is answered like a missing one.
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == command.Id, cancellationToken);
            if (key is null) return ApiKeyErrors.NotFound;
            if (key.Status == ApiKeyStatus.Revoked) return ApiKeyErrors.Revoked;
            if (await kyc.CheckAsync(member.Value.TenantId, cancellationToken) is { } notVerified) return notVerified;
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;

            var expiresAt = command.ExpiresOn is { } lastDay ? ApiKeySettingsRules.ExpiryInstant(lastDay) : (DateTimeOffset?)null;
            if (expiresAt != key.ExpiresAt && expiresAt is not null && expiresAt <= clock.GetUtcNow())
                return new ValidationError(new Dictionary<string, string[]> { ["ExpiresOn"] = [l["The expiry date must be today or later."]] });
            var models = ApiKeySettingsRules.Models(command);
            if (await ApiKeySettingsRules.CheckModelsExistAsync(db, models, l, cancellationToken) is { } unknown) return unknown;

            key.Name = command.Name.Trim();
            key.ExpiresAt = expiresAt;
            if (!key.AllowedModels.SequenceEqual(models)) key.AllowedModels = models;
            var ranges = ApiKeySettingsRules.NormalizeIpRanges(rules, command.AllowedIpRanges);
            if (!key.AllowedIpRanges.SequenceEqual(ranges)) key.AllowedIpRanges = ranges;
            key.RequestsPerMinute = command.RequestsPerMinute;
            key.MonthlyBudgetMicroYuan = ApiKeySettingsRules.BudgetMicroYuan(command.MonthlyBudget);
            if (!db.ChangeTracker.HasChanges()) return Unit.Value;

            key.UpdatedAt = clock.GetUtcNow();
            audit.Add(db, "api_keys.updated", nameof(ApiKey), key.Id, LocalizedText.Encode("{0}", ApiKeySettingsRules.Describe(key)), key.TenantId);
            // NOTE: only the changed columns are written, never the status: a revocation racing this edit stays revoked.
            await db.SaveChangesAsync(cancellationToken);
            relayCache.KeyChanged(key.SecretHash);
            return Unit.Value;
        }
    }
}
