using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Kyc;
using Portal.IntegrationTests.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Catalog;

public abstract class ApiKeysTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory, IRecordsRelayCache
{
    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Create_key_returns_the_secret_once_and_stores_only_its_hash()
    {
        var model = RelayAdminArrange.NewModelId("keyed");
        await factory.ModelAsync(model);
        var (owner, tenantId) = await factory.VerifiedTenantAsync("密钥测试科技有限公司");
        var created = await factory.CreateKeyAsync(owner.Email, new CreateApiKey.Command(
            " 生产服务器 ", new DateOnly(2099, 12, 31), [model], "203.0.113.7\n2001:db8::/32, 203.0.113.7", 600, "1000.50"));
        Assert.True(created.IsSuccess, created.Error?.Message);
        var secret = created.Value.Secret;
        Assert.Matches("^sk-cn-[0-9A-Za-z]{48}$", secret);

        await using var db = await factory.DbAsync();
        var key = await db.ApiKeys.IgnoreTenantFilter().AsNoTracking().SingleAsync(k => k.Id == created.Value.Id);
        Assert.Equal(tenantId, key.TenantId);
        Assert.Equal(Sha256(secret), key.SecretHash);
        Assert.Equal(created.Value.Prefix, key.Prefix);
        Assert.StartsWith("sk-cn-" + secret[6..10], key.Prefix);
        Assert.Equal("生产服务器", key.Name);
        Assert.Equal(ApiKeyStatus.Active, key.Status);
        Assert.Equal([model], key.AllowedModels);
        Assert.Equal(["203.0.113.7/32", "2001:db8::/32"], key.AllowedIpRanges);
        Assert.Equal(600, key.RequestsPerMinute);
        Assert.Equal(1_000_500_000, key.MonthlyBudgetMicroYuan);
        Assert.Equal(new DateTimeOffset(2099, 12, 31, 16, 0, 0, TimeSpan.Zero), key.ExpiresAt);

        // The secret is nowhere in the database: not in the key row, not in the audit log.
        var stored = new[] { key.Name, key.Prefix, key.SecretHash }.Concat(key.AllowedModels).Concat(key.AllowedIpRanges);
        Assert.DoesNotContain(stored, s => s.Contains(secret[6..], StringComparison.Ordinal));
        var audit = await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == tenantId && a.Action == "api_keys.created").SingleAsync();
        Assert.DoesNotContain(secret[6..], audit.Summary);
        Assert.Contains(key.Prefix, audit.Summary);
        Assert.Equal(owner.Email, audit.Actor);
        Assert.Contains("key:" + key.SecretHash, factory.RelayCache.Calls);
    }

    [Fact]
    public async Task List_shows_prefix_last_use_and_this_months_spend()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("列表测试科技有限公司");
        var first = await factory.KeyAsync(owner.Email, "第一把");
        var second = await factory.KeyAsync(owner.Email, "第二把");
        var now = factory.Clock.GetUtcNow();
        var month = ApiKeySettingsRules.MonthOf(now);
        var lastMonth = ApiKeySettingsRules.MonthOf(ChinaTime.ToChina(now).AddMonths(-1));
        await using (var db = await factory.DbAsync())
        {
            // What the relay's settlement maintains.
            db.ApiKeySpends.AddRange(
                new ApiKeySpend { ApiKeyId = first.Id, TenantId = tenantId, Month = month, SpentMicroYuan = 12_345_678, Requests = 42 },
                new ApiKeySpend { ApiKeyId = first.Id, TenantId = tenantId, Month = lastMonth, SpentMicroYuan = 99_000_000, Requests = 7 });
            await db.ApiKeys.IgnoreTenantFilter().Where(k => k.Id == first.Id).ExecuteUpdateAsync(u => u.SetProperty(k => k.LastUsedAt, now));
            await db.SaveChangesAsync();
        }

        var list = await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<ApiKeyQueries>().ListAsync());
        Assert.True(list.IsSuccess);
        Assert.Equal([second.Id, first.Id], list.Value.Select(k => k.Id));
        var row = list.Value.Single(k => k.Id == first.Id);
        Assert.Equal(first.Prefix, row.Prefix);
        Assert.Equal(new Money(12_345_678), row.SpentThisMonth);
        Assert.Equal(42, row.RequestsThisMonth);
        Assert.Equal(now, row.LastUsedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(ApiKeyState.Active, row.State);
        var fresh = list.Value.Single(k => k.Id == second.Id);
        Assert.Equal(Money.Zero, fresh.SpentThisMonth);
        Assert.Null(fresh.LastUsedAt);

        var detail = await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<ApiKeyQueries>().GetAsync(first.Id));
        Assert.True(detail.IsSuccess);
        Assert.Equal([month, lastMonth], detail.Value.Months.Select(m => m.Month));
        Assert.Equal(owner.Email, detail.Value.CreatedBy);
    }

    [Fact]
    public async Task Disable_and_enable_move_the_status_and_tell_the_relay()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("停用测试科技有限公司");
        var key = await factory.KeyAsync(owner.Email);
        var hash = Sha256(key.Secret);

        Assert.True((await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<DisableApiKey.Handler>().HandleAsync(new DisableApiKey.Command(key.Id)))).IsSuccess);
        Assert.Equal(ApiKeyErrors.NotActive, (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<DisableApiKey.Handler>().HandleAsync(new DisableApiKey.Command(key.Id)))).Error);
        Assert.Equal(ApiKeyStatus.Disabled, await StatusAsync(key.Id));
        Assert.True((await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<EnableApiKey.Handler>().HandleAsync(new EnableApiKey.Command(key.Id)))).IsSuccess);
        Assert.Equal(ApiKeyStatus.Active, await StatusAsync(key.Id));

        Assert.True(factory.RelayCache.Calls.Count(c => c == "key:" + hash) >= 3);
        await using var db = await factory.DbAsync();
        var actions = await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == tenantId && a.TargetId == key.Id.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Equal(["api_keys.created", "api_keys.disabled", "api_keys.enabled"], actions.Order());
    }

    [Fact]
    public async Task Revoke_is_final_and_audited_once_even_when_clicked_many_times_at_once()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("吊销测试科技有限公司");
        var key = await factory.KeyAsync(owner.Email);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            factory.AsUserAsync(owner.Email, s => s.GetRequiredService<RevokeApiKey.Handler>().HandleAsync(new RevokeApiKey.Command(key.Id))))));
        Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(ApiKeyErrors.Revoked, r.Error));
        Assert.Equal(ApiKeyStatus.Revoked, await StatusAsync(key.Id));

        // Nothing brings it back or changes it.
        Assert.Equal(ApiKeyErrors.Revoked, (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<EnableApiKey.Handler>().HandleAsync(new EnableApiKey.Command(key.Id)))).Error);
        Assert.Equal(ApiKeyErrors.Revoked, (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<DisableApiKey.Handler>().HandleAsync(new DisableApiKey.Command(key.Id)))).Error);
        Assert.Equal(ApiKeyErrors.Revoked, (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<UpdateApiKey.Handler>().HandleAsync(new UpdateApiKey.Command(key.Id, "复活")))).Error);
        Assert.Equal(ApiKeyStatus.Revoked, await StatusAsync(key.Id));

        await using var db = await factory.DbAsync();
        var stored = await db.ApiKeys.IgnoreTenantFilter().AsNoTracking().SingleAsync(k => k.Id == key.Id);
        Assert.Equal(factory.Clock.GetUtcNow(), stored.RevokedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await db.AuditEntries.IgnoreTenantFilter().CountAsync(a => a.TenantId == tenantId && a.Action == "api_keys.revoked"));
        Assert.Contains("key:" + stored.SecretHash, factory.RelayCache.Calls);

        var row = (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<ApiKeyQueries>().ListAsync())).Value!.Single();
        Assert.Equal(ApiKeyState.Revoked, row.State);
    }

    [Fact]
    public async Task Update_changes_limits_and_validates_them()
    {
        var model = RelayAdminArrange.NewModelId("limited");
        await factory.ModelAsync(model);
        var (owner, _) = await factory.VerifiedTenantAsync("限额测试科技有限公司");
        var key = await factory.KeyAsync(owner.Email);

        var invalid = await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<UpdateApiKey.Handler>().HandleAsync(
            new UpdateApiKey.Command(key.Id, "改名", null, ["no-such-model"], "10.0.0.1/8", 0, "-5")));
        var fields = Assert.IsType<ValidationError>(invalid.Error).Fields;
        Assert.Contains("AllowedIpRanges", fields.Keys);
        Assert.Contains("RequestsPerMinute", fields.Keys);
        Assert.Contains("MonthlyBudget", fields.Keys);
        var unknownModel = await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<UpdateApiKey.Handler>().HandleAsync(
            new UpdateApiKey.Command(key.Id, "改名", null, ["no-such-model"])));
        Assert.Contains("no-such-model", Assert.IsType<ValidationError>(unknownModel.Error).Fields["AllowedModels"][0]);

        var past = ChinaTime.Today(factory.Clock).AddDays(-1);
        var expired = await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<UpdateApiKey.Handler>().HandleAsync(new UpdateApiKey.Command(key.Id, "改名", past)));
        Assert.Contains("ExpiresOn", Assert.IsType<ValidationError>(expired.Error).Fields.Keys);

        var updated = await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<UpdateApiKey.Handler>().HandleAsync(
            new UpdateApiKey.Command(key.Id, "改名", null, [model], "10.0.0.0/8", 60, "200")));
        Assert.True(updated.IsSuccess, updated.Error?.Message);
        await using var db = await factory.DbAsync();
        var stored = await db.ApiKeys.IgnoreTenantFilter().AsNoTracking().SingleAsync(k => k.Id == key.Id);
        Assert.Equal(("改名", 60, 200_000_000L), (stored.Name, stored.RequestsPerMinute!.Value, stored.MonthlyBudgetMicroYuan!.Value));
        Assert.Equal(["10.0.0.0/8"], stored.AllowedIpRanges);
        Assert.Equal([model], stored.AllowedModels);
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.Action == "api_keys.updated" && a.TargetId == key.Id.ToString()));
    }

    [Fact]
    public async Task Another_tenants_key_is_not_found()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("甲方科技有限公司");
        var (stranger, _) = await factory.VerifiedTenantAsync("乙方科技有限公司");
        var key = await factory.KeyAsync(owner.Email);

        Assert.Equal(ApiKeyErrors.NotFound, (await factory.AsUserAsync(stranger.Email, s => s.GetRequiredService<ApiKeyQueries>().GetAsync(key.Id))).Error);
        Assert.Equal(ApiKeyErrors.NotFound, (await factory.AsUserAsync(stranger.Email, s => s.GetRequiredService<RevokeApiKey.Handler>().HandleAsync(new RevokeApiKey.Command(key.Id)))).Error);
        Assert.Equal(ApiKeyErrors.NotFound, (await factory.AsUserAsync(stranger.Email, s => s.GetRequiredService<DisableApiKey.Handler>().HandleAsync(new DisableApiKey.Command(key.Id)))).Error);
        Assert.Equal(ApiKeyErrors.NotFound, (await factory.AsUserAsync(stranger.Email, s => s.GetRequiredService<UpdateApiKey.Handler>().HandleAsync(new UpdateApiKey.Command(key.Id, "偷改")))).Error);
        Assert.Empty((await factory.AsUserAsync(stranger.Email, s => s.GetRequiredService<ApiKeyQueries>().ListAsync())).Value!);
        Assert.Equal(ApiKeyStatus.Active, await StatusAsync(key.Id));
    }

    [Fact]
    public async Task Developers_manage_keys_but_Finance_and_Viewers_cannot()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("角色测试科技有限公司");
        var developer = await factory.InviteMemberAsync(owner, "Developer");
        var finance = await factory.InviteMemberAsync(owner, "Finance");
        var viewer = await factory.InviteMemberAsync(owner, "Viewer");

        var byDeveloper = await factory.CreateKeyAsync(developer.Email, new CreateApiKey.Command("开发者的密钥"));
        Assert.True(byDeveloper.IsSuccess, byDeveloper.Error?.Message);
        foreach (var refused in new[] { finance, viewer })
        {
            Assert.Equal(ApiKeyErrors.RolesOnly, (await factory.CreateKeyAsync(refused.Email, new CreateApiKey.Command("不该有"))).Error);
            Assert.Equal(ApiKeyErrors.RolesOnly, (await factory.AsUserAsync(refused.Email, s => s.GetRequiredService<ApiKeyQueries>().ListAsync())).Error);
            Assert.Equal(ApiKeyErrors.RolesOnly, (await factory.AsUserAsync(refused.Email, s => s.GetRequiredService<RevokeApiKey.Handler>().HandleAsync(new RevokeApiKey.Command(byDeveloper.Value!.Id)))).Error);
            Assert.Equal(ApiKeyErrors.RolesOnly, (await factory.AsUserAsync(refused.Email, s => s.GetRequiredService<ApiKeyQueries>().AccessAsync())).Role);
        }

        // The Owner sees and can revoke the Developer's key.
        var keys = (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<ApiKeyQueries>().ListAsync())).Value!;
        Assert.Equal("开发者的密钥", Assert.Single(keys).Name);
        Assert.True((await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<RevokeApiKey.Handler>().HandleAsync(new RevokeApiKey.Command(byDeveloper.Value!.Id)))).IsSuccess);
    }

    [Fact]
    public async Task A_tenant_without_approved_verification_cannot_create_or_enable_keys_but_can_stop_them()
    {
        var unverified = await PortalClient.SignUpAsync(factory, "未认证密钥科技有限公司");
        Assert.Equal(KycGateErrors.NotVerified, (await factory.CreateKeyAsync(unverified.Email, new CreateApiKey.Command("太早了"))).Error);
        Assert.Equal(KycGateErrors.NotVerified, (await factory.AsUserAsync(unverified.Email, s => s.GetRequiredService<ApiKeyQueries>().AccessAsync())).Kyc);

        // Verified, a key made, then the verification revoked: new keys and re-enabling are refused, stopping is not.
        var (owner, tenantId) = await factory.VerifiedTenantAsync("撤销认证科技有限公司");
        var key = await factory.KeyAsync(owner.Email);
        var keep = await factory.KeyAsync(owner.Email, "另一把");
        await RevokeVerificationAsync(tenantId);
        Assert.Contains("tenant:" + tenantId, factory.RelayCache.Calls);

        Assert.Equal(KycGateErrors.Revoked, (await factory.CreateKeyAsync(owner.Email, new CreateApiKey.Command("再来一把"))).Error);
        Assert.True((await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<DisableApiKey.Handler>().HandleAsync(new DisableApiKey.Command(key.Id)))).IsSuccess);
        Assert.Equal(KycGateErrors.Revoked, (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<EnableApiKey.Handler>().HandleAsync(new EnableApiKey.Command(key.Id)))).Error);
        Assert.True((await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<RevokeApiKey.Handler>().HandleAsync(new RevokeApiKey.Command(keep.Id)))).IsSuccess);
        Assert.Equal(2, (await factory.AsUserAsync(owner.Email, s => s.GetRequiredService<ApiKeyQueries>().ListAsync())).Value!.Count);
    }

    private async Task RevokeVerificationAsync(Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        var submission = await db.KycSubmissions.IgnoreTenantFilter().SingleAsync(s => s.TenantId == tenantId && s.Status == KycStatus.Approved);
        var revoked = await factory.AsOperatorAsync(s => s.GetRequiredService<RevokeKyc.Handler>().HandleAsync(new RevokeKyc.Command(submission.Id, "营业执照已注销")));
        Assert.True(revoked.IsSuccess, revoked.Error?.Message);
    }

    private async Task<ApiKeyStatus> StatusAsync(Guid keyId)
    {
        await using var db = await factory.DbAsync();
        return await db.ApiKeys.IgnoreTenantFilter().Where(k => k.Id == keyId).Select(k => k.Status).SingleAsync();
    }
}

public sealed class ApiKeysTestsOnPostgres(RelayAdminPostgresFactory factory) : ApiKeysTests<RelayAdminPostgresFactory>(factory);

public sealed class ApiKeysTestsOnSqlite(RelayAdminSqliteFactory factory) : ApiKeysTests<RelayAdminSqliteFactory>(factory);
