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
/// An Owner, Admin or Developer of a verified tenant creates an API key. The secret (<c>sk-cn-</c> + 48 base62) is
/// returned once, in <see cref="Created.Secret"/>, and never stored: the key row keeps its SHA-256 hex and a display
/// prefix. Refused until the tenant's real-name verification is approved. Audited.
/// </summary>
public static class CreateApiKey
{
    public sealed record Command(
        string Name,
        DateOnly? ExpiresOn = null,
        IReadOnlyList<string>? AllowedModelIds = null,
        string? AllowedIpRanges = null,
        int? RequestsPerMinute = null,
        string? MonthlyBudget = null) : IApiKeySettings
    {
        public IReadOnlyList<string> AllowedModels => AllowedModelIds ?? [];
    }

    /// <summary>The new key. <see cref="Secret"/> exists only in this object: show it once and let it go.</summary>
    public sealed record Created(Guid Id, string Name, string Prefix, string Secret);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l, IApiKeyRules rules, TimeProvider clock)
        {
            Include(new ApiKeySettingsValidator(l, rules));
            RuleFor(c => c.ExpiresOn).Must(d => d is null || d.Value >= ChinaTime.Today(clock))
                .WithMessage(l["The expiry date must be today or later."]);
        }
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
        public async Task<Result<Created>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, ApiKeySettingsRules.ManagingRoles);
            if (!member.IsSuccess) return member.Error.Code == "Auth.Forbidden" ? ApiKeyErrors.RolesOnly : member.Error;
            if (await kyc.CheckAsync(member.Value.TenantId, cancellationToken) is { } notVerified) return notVerified;
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            var models = ApiKeySettingsRules.Models(command);
            if (await ApiKeySettingsRules.CheckModelsExistAsync(db, models, l, cancellationToken) is { } unknown) return unknown;

            var now = clock.GetUtcNow();
            var secret = rules.NewSecret();
            var key = new ApiKey
            {
                Id = Ids.New(),
                TenantId = member.Value.TenantId,
                Name = command.Name.Trim(),
                Prefix = secret.Prefix,
                SecretHash = secret.Hash,
                Status = ApiKeyStatus.Active,
                ExpiresAt = command.ExpiresOn is { } lastDay ? ApiKeySettingsRules.ExpiryInstant(lastDay) : null,
                AllowedModels = models,
                AllowedIpRanges = ApiKeySettingsRules.NormalizeIpRanges(rules, command.AllowedIpRanges),
                RequestsPerMinute = command.RequestsPerMinute,
                MonthlyBudgetMicroYuan = ApiKeySettingsRules.BudgetMicroYuan(command.MonthlyBudget),
                CreatedByUserId = member.Value.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.ApiKeys.Add(key);
            audit.Add(db, "api_keys.created", nameof(ApiKey), key.Id, LocalizedText.Encode("{0}", ApiKeySettingsRules.Describe(key)), key.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            // A relay that looked the hash up before (a guessed key) may have cached the miss.
            relayCache.KeyChanged(key.SecretHash);
            return new Created(key.Id, key.Name, key.Prefix, secret.Secret);
        }
    }
}
