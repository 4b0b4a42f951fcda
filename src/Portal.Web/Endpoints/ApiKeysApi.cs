using Portal.Core.Common;
using Portal.Core.Features.ApiKeys;
using Portal.Web.Hosting;
using static Portal.Web.Endpoints.ApiMoney;

namespace Portal.Web.Endpoints;

/// <summary>
/// JSON API over the tenant's API keys, for automation (same rules as the pages: Owners, Admins and Developers manage
/// keys, creating and enabling need the verification). The secret is in the creation response only. Budgets travel as
/// yuan strings; another tenant's key is 404.
/// </summary>
public static class ApiKeysApi
{
    public sealed record KeyRequest(
        string Name, DateOnly? ExpiresOn = null, IReadOnlyList<string>? AllowedModels = null, string? AllowedIpRanges = null, int? RequestsPerMinute = null,
        string? MonthlyBudget = null);

    public sealed record CreatedResponse(Guid Id, string Name, string Prefix, string Secret);

    public sealed record KeyResponse(
        Guid Id, string Name, string Prefix, ApiKeyState State, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt,
        string SpentThisMonth, long RequestsThisMonth, string? MonthlyBudget, int? RequestsPerMinute, IReadOnlyList<string> AllowedModels,
        IReadOnlyList<string> AllowedIpRanges);

    public sealed record MonthResponse(int Month, string Spent, long Requests);

    public sealed record DetailResponse(KeyResponse Key, string CreatedBy, DateTimeOffset? RevokedAt, IReadOnlyList<MonthResponse> Months);

    public static WebApplication MapApiKeysApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant/api-keys").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        api.MapGet("/", async (ApiKeyQueries q, CancellationToken ct) => (await q.ListAsync(ct)).ToHttp(list => Results.Ok(list.Select(Response))));

        api.MapGet("/{id:guid}", async (Guid id, ApiKeyQueries q, CancellationToken ct) =>
            (await q.GetAsync(id, ct)).ToHttp(d => Results.Ok(new DetailResponse(Response(d.Key), d.CreatedBy, d.RevokedAt,
                d.Months.Select(m => new MonthResponse(m.Month, Yuan(m.Spent), m.Requests)).ToList()))));

        api.MapPost("/", async (KeyRequest body, CreateApiKey.Handler h, CancellationToken ct) =>
        {
            var created = await h.HandleAsync(
                new CreateApiKey.Command(body.Name ?? "", body.ExpiresOn, body.AllowedModels, body.AllowedIpRanges, body.RequestsPerMinute, body.MonthlyBudget), ct);
            return created.IsSuccess
                ? Results.Created($"/api/tenant/api-keys/{created.Value.Id}", new CreatedResponse(created.Value.Id, created.Value.Name, created.Value.Prefix, created.Value.Secret))
                : ResultHttp.Problem(created.Error!);
        });

        api.MapPut("/{id:guid}", async (Guid id, KeyRequest body, UpdateApiKey.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new UpdateApiKey.Command(id, body.Name ?? "", body.ExpiresOn, body.AllowedModels, body.AllowedIpRanges, body.RequestsPerMinute,
                body.MonthlyBudget), ct)).ToHttp(_ => Results.NoContent()));

        api.MapPost("/{id:guid}/disable", async (Guid id, DisableApiKey.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new DisableApiKey.Command(id), ct)).ToHttp(_ => Results.NoContent()));

        api.MapPost("/{id:guid}/enable", async (Guid id, EnableApiKey.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new EnableApiKey.Command(id), ct)).ToHttp(_ => Results.NoContent()));

        api.MapPost("/{id:guid}/revoke", async (Guid id, RevokeApiKey.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new RevokeApiKey.Command(id), ct)).ToHttp(_ => Results.NoContent()));
        return app;
    }

    private static KeyResponse Response(ApiKeyRow k) =>
        new(k.Id, k.Name, k.Prefix, k.State, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, Yuan(k.SpentThisMonth), k.RequestsThisMonth,
            k.MonthlyBudget is { } budget ? Yuan(budget) : null, k.RequestsPerMinute, k.AllowedModels, k.AllowedIpRanges);
}
