using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Common;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Catalog;

/// <summary>The tenant's key API (/api/tenant/api-keys) driven over HTTP, with the relay answering the keys it makes.</summary>
public abstract class ApiKeysApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private sealed record Created(Guid Id, string Name, string Prefix, string Secret);

    private sealed record Key(
        Guid Id, string Name, string Prefix, ApiKeyState State, DateTimeOffset? ExpiresAt, string SpentThisMonth, long RequestsThisMonth, string? MonthlyBudget,
        int? RequestsPerMinute, List<string> AllowedModels, List<string> AllowedIpRanges);

    private sealed record Detail(Key Key, string CreatedBy, DateTimeOffset? RevokedAt);

    private const string Base = "/api/tenant/api-keys";

    private async Task<Created> CreateAsync(PortalClient client, object body)
    {
        var response = await client.PostJsonAsync(Base, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.NotNull(response.Headers.Location);
        return (await response.Content.ReadFromJsonAsync<Created>(PortalClient.Json))!;
    }

    private async Task<HttpStatusCode> ChatAsync(string secret, string model)
    {
        using var http = factory.RelayClient(secret);
        var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)));
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode;
    }

    [Fact]
    public async Task A_key_made_through_the_api_works_at_once_shows_its_spend_and_stops_when_revoked()
    {
        var model = await factory.ModelAsync($"api-{Guid.NewGuid():N}"[..12], ModelKind.Chat, 2_000_000, 8_000_000, new ChannelSpec("sim", ChannelType.Simulator));
        var (owner, tenantId) = await factory.VerifiedTenantAsync("密钥接口科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);

        var created = await CreateAsync(owner, new { name = " 自动化部署 ", expiresOn = "2099-12-31", allowedModels = new[] { model }, requestsPerMinute = 60, monthlyBudget = "50" });
        Assert.Matches("^sk-cn-[0-9A-Za-z]{48}$", created.Secret);
        Assert.Equal("自动化部署", created.Name);

        Assert.Equal(HttpStatusCode.OK, await ChatAsync(created.Secret, model));
        await factory.SettleAsync();

        // The list never carries the secret, only the prefix, and shows this month's spend.
        var listJson = await owner.Http.GetStringAsync(Base);
        Assert.DoesNotContain(created.Secret[6..], listJson);
        var key = Assert.Single(JsonSerializer.Deserialize<List<Key>>(listJson, PortalClient.Json)!);
        Assert.Equal((created.Id, created.Prefix, ApiKeyState.Active, 1L, "50.00", 60), (key.Id, key.Prefix, key.State, key.RequestsThisMonth, key.MonthlyBudget, key.RequestsPerMinute));
        Assert.Equal([model], key.AllowedModels);
        Assert.NotEqual("0.00", key.SpentThisMonth);
        var detail = await owner.GetJsonAsync<Detail>($"{Base}/{created.Id}");
        Assert.Equal((owner.Email, (DateTimeOffset?)null), (detail.CreatedBy, detail.RevokedAt));

        // Disable, enable, change the limits, revoke: each reaches the relay at once.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostJsonAsync($"{Base}/{created.Id}/disable", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatAsync(created.Secret, model));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostJsonAsync($"{Base}/{created.Id}/enable", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PutJsonAsync($"{Base}/{created.Id}", new { name = "自动化部署", allowedIpRanges = "198.51.100.0/24" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await ChatAsync(created.Secret, model));
        Assert.Equal(["198.51.100.0/24"], (await owner.GetJsonAsync<Detail>($"{Base}/{created.Id}")).Key.AllowedIpRanges);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostJsonAsync($"{Base}/{created.Id}/revoke", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatAsync(created.Secret, model));
        Assert.Equal(ApiKeyState.Revoked, (await owner.GetJsonAsync<Detail>($"{Base}/{created.Id}")).Key.State);
        var again = await owner.PostJsonAsync($"{Base}/{created.Id}/enable", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains(ApiKeyErrors.Revoked.Code, await again.Content.ReadAsStringAsync());
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Bad_settings_are_field_errors_and_nothing_is_created()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("密钥校验科技有限公司");

        var response = await owner.PostJsonAsync(Base, new { name = "", allowedIpRanges = "300.1.1.1/8", requestsPerMinute = -5, monthlyBudget = "abc", allowedModels = new[] { "no-such-model" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "Name", "AllowedIpRanges", "RequestsPerMinute", "MonthlyBudget" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        Assert.Empty(await owner.GetJsonAsync<List<Key>>(Base));
    }

    [Fact]
    public async Task Another_tenants_key_is_404_and_roles_and_verification_are_enforced()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("密钥归属科技有限公司");
        var created = await CreateAsync(owner, new { name = "我的" });
        var (stranger, _) = await factory.VerifiedTenantAsync("别家密钥科技有限公司");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"{Base}/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostJsonAsync($"{Base}/{created.Id}/revoke", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PutJsonAsync($"{Base}/{created.Id}", new { name = "抢走" })).StatusCode);
        Assert.Empty(await stranger.GetJsonAsync<List<Key>>(Base));

        var viewer = await factory.InviteMemberAsync(owner, "Viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.GetAsync(Base)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJsonAsync(Base, new { name = "不该有" })).StatusCode);

        var unverified = await PortalClient.SignUpAsync(factory, "未认证密钥科技有限公司");
        var refused = await unverified.PostJsonAsync(Base, new { name = "未认证" });
        Assert.NotEqual(HttpStatusCode.Created, refused.StatusCode);
        Assert.Contains("verif", (await refused.Content.ReadAsStringAsync()).ToLowerInvariant());

        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync(Base)).StatusCode);
        Assert.Equal(ApiKeyState.Active, Assert.Single(await owner.GetJsonAsync<List<Key>>(Base)).State);
    }
}

public sealed class ApiKeysApiTestsOnPostgres(PostgresPortalFactory factory) : ApiKeysApiTests<PostgresPortalFactory>(factory);

public sealed class ApiKeysApiTestsOnSqlite(SqlitePortalFactory factory) : ApiKeysApiTests<SqlitePortalFactory>(factory);
