using Portal.Core.Localization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.DataProtection;

/// <summary>
/// An Owner or Admin sets the tenant's data policy (<see cref="Command.ApiKeyId"/> null) or one key's override. The relay
/// applies it within its key cache's TTL on other replicas and at once on this one. Audited with the old and new settings.
/// </summary>
public static class SaveDataPolicy
{
    public sealed record Command(PiiHandling Pii, PiiScope PiiScope, bool RestoreInAnswers, bool NoCrossBorder, Guid? ApiKeyId = null);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Pii).IsInEnum();
            RuleFor(c => c.PiiScope).IsInEnum();
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IValidator<Command> validator, AuditLog audit, IRelayCache relayCache, TimeProvider clock)
    {
        public async Task<Result<DataPolicyView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireManagerAsync(db, cancellationToken);
            if (!member.IsSuccess) return member.Error;
            var tenantId = member.Value.TenantId;
            // The tenant filter hides another tenant's key: the same 404 as a key that does not exist.
            var key = command.ApiKeyId is { } keyId ? await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken) : null;
            if (command.ApiKeyId is not null && key is null) return Error.NotFound("ApiKey");

            var policy = await db.DataPolicies.FirstOrDefaultAsync(p => p.ApiKeyId == command.ApiKeyId, cancellationToken);
            var before = policy is null ? LocalizedText.Term("none") : DataPolicyView.Describe(policy);
            if (policy is null)
            {
                policy = new DataPolicy { Id = Ids.New(), TenantId = tenantId, ApiKeyId = command.ApiKeyId };
                db.DataPolicies.Add(policy);
            }

            policy.Pii = command.Pii;
            policy.PiiScope = command.PiiScope;
            policy.RestoreInAnswers = command.RestoreInAnswers;
            policy.NoCrossBorder = command.NoCrossBorder;
            policy.UpdatedAt = clock.GetUtcNow();
            audit.Add(db, "data_protection.policy_saved", nameof(DataPolicy), policy.Id,
                LocalizedText.Encode(key is null ? "tenant default: {1} → {2}" : "key {0}: {1} → {2}", key?.Prefix ?? "", before, DataPolicyView.Describe(policy)), tenantId);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: the unique indexes (one default per tenant, one override per key) decide between two saves at once.
                return new Error("DataProtection.ConcurrentSave", "Someone else saved the policy at the same time; reload and try again.");
            }

            await InvalidateKeysAsync(db, command.ApiKeyId, cancellationToken);
            return DataPolicyView.From(policy);
        }

        private async Task InvalidateKeysAsync(PortalDbContext db, Guid? keyId, CancellationToken cancellationToken)
        {
            var hashes = await db.ApiKeys.Where(k => keyId == null || k.Id == keyId).Select(k => k.SecretHash).ToListAsync(cancellationToken);
            foreach (var hash in hashes) relayCache.KeyChanged(hash);
        }
    }
}

/// <summary>An Owner or Admin removes one key's override: the key follows the tenant default again. Audited.</summary>
public static class RemoveDataPolicyOverride
{
    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AuditLog audit, IRelayCache relayCache)
    {
        public async Task<Result<Unit>> HandleAsync(Guid apiKeyId, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireManagerAsync(db, cancellationToken);
            if (!member.IsSuccess) return member.Error;
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == apiKeyId, cancellationToken);
            var policy = key is null ? null : await db.DataPolicies.FirstOrDefaultAsync(p => p.ApiKeyId == apiKeyId, cancellationToken);
            if (key is null || policy is null) return Error.NotFound("DataPolicy");
            db.DataPolicies.Remove(policy);
            audit.Add(db, "data_protection.override_removed", nameof(DataPolicy), policy.Id, LocalizedText.Encode("key {0}: {1} → tenant default", key.Prefix, DataPolicyView.Describe(policy)), member.Value.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            relayCache.KeyChanged(key.SecretHash);
            return Unit.Value;
        }
    }
}

/// <summary>A policy as pages and the API show it.</summary>
public sealed record DataPolicyView(Guid? ApiKeyId, PiiHandling Pii, PiiScope PiiScope, bool RestoreInAnswers, bool NoCrossBorder, DateTimeOffset? UpdatedAt)
{
    public static readonly DataPolicyView Default = new(null, PiiHandling.Off, PiiScope.AllChannels, false, false, null);

    public static DataPolicyView From(DataPolicy p) => new(p.ApiKeyId, p.Pii, p.PiiScope, p.RestoreInAnswers, p.NoCrossBorder, p.UpdatedAt);

    internal static string Describe(DataPolicy p) =>
        LocalizedText.Encode((p.RestoreInAnswers, p.NoCrossBorder) switch
        {
            (true, true) => "PII {0} ({1}), restore, no cross-border",
            (true, false) => "PII {0} ({1}), restore",
            (false, true) => "PII {0} ({1}), no cross-border",
            _ => "PII {0} ({1})",
        }, LocalizedText.Term(p.Pii), LocalizedText.Term(p.PiiScope));
}

/// <summary>The tenant's default and every key override; readable by every member (the policy is no secret to them).</summary>
public sealed class DataPolicyQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access)
{
    public sealed record Policies(DataPolicyView Default, IReadOnlyList<DataPolicyView> Overrides);

    public async Task<Result<Policies>> GetAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;
        var rows = await db.DataPolicies.AsNoTracking().ToListAsync(cancellationToken);
        var tenantDefault = rows.FirstOrDefault(p => p.ApiKeyId == null);
        return new Policies(tenantDefault is null ? DataPolicyView.Default : DataPolicyView.From(tenantDefault),
            rows.Where(p => p.ApiKeyId != null).Select(DataPolicyView.From).ToList());
    }

    /// <summary>True when the signed-in member may change the policy (Owner, Admin).</summary>
    public async Task<bool> CanEditAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await access.RequireManagerAsync(db, cancellationToken)).IsSuccess;
    }

    /// <summary>Per enabled chat or embeddings model: whether it is served from within China, from abroad, or both (for "served from").</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ChannelRegion>>> ModelRegionsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // A join rather than SelectMany over the navigation: SQLite cannot translate APPLY.
        var rows = await db.ChannelModels.AsNoTracking()
            .Join(db.Channels.Where(c => c.Enabled), m => m.ChannelId, c => c.Id, (m, c) => new { m.PublicModelId, c.Region })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.PublicModelId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ChannelRegion>)g.Select(r => r.Region).Distinct().Order().ToList(), StringComparer.Ordinal);
    }
}
