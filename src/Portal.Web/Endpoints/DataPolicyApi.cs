using Portal.Core.Features.DataProtection;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>
/// JSON API over the tenant data policy: read by every member, changed by an Owner or Admin (403 otherwise). Another
/// tenant's key is a 404.
/// </summary>
public static class DataPolicyApi
{
    public sealed record PolicyRequest(PiiHandling Pii, PiiScope PiiScope, bool RestoreInAnswers, bool NoCrossBorder);

    public static WebApplication MapDataPolicyApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant/data-policy").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();
        api.MapGet("", async (DataPolicyQueries q, CancellationToken ct) => (await q.GetAsync(ct)).ToHttp())
            .WithName("GetDataPolicy").WithSummary("The tenant's data policy and every key override.");
        api.MapPut("", async (PolicyRequest body, SaveDataPolicy.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new SaveDataPolicy.Command(body.Pii, body.PiiScope, body.RestoreInAnswers, body.NoCrossBorder), ct)).ToHttp())
            .WithName("SaveDataPolicy").WithSummary("Sets the tenant's default data policy (Owner, Admin).");
        api.MapPut("/keys/{keyId:guid}", async (Guid keyId, PolicyRequest body, SaveDataPolicy.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new SaveDataPolicy.Command(body.Pii, body.PiiScope, body.RestoreInAnswers, body.NoCrossBorder, keyId), ct)).ToHttp())
            .WithName("SaveKeyDataPolicy").WithSummary("Sets one key's override of the data policy (Owner, Admin).");
        api.MapDelete("/keys/{keyId:guid}", async (Guid keyId, RemoveDataPolicyOverride.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(keyId, ct)).ToHttp(_ => Results.NoContent()))
            .WithName("RemoveKeyDataPolicy").WithSummary("Removes one key's override (Owner, Admin).");
        return app;
    }
}
