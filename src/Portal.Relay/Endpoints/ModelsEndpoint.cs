using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Portal.Relay.Auth;
using Portal.Relay.Catalog;
using Portal.Relay.Errors;

namespace Portal.Relay.Endpoints;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: the models this key may call (enabled, with a channel, in its scope).</summary>
internal sealed class ModelsEndpoint(RelayAuthenticator authenticator, CatalogCache catalog)
{
    public async Task ListAsync(HttpContext context)
    {
        context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
        var (key, refused) = await authenticator.AuthenticateAsync(context);
        if (refused is not null)
        {
            await RelayHttp.WriteErrorAsync(context, refused);
            return;
        }

        var snapshot = await catalog.GetAsync();
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            foreach (var model in snapshot.Listed)
            {
                if (key!.MayUse(model.PublicId)) WriteModel(writer, model);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteJsonAsync(context, buffer.WrittenMemory);
    }

    public async Task GetAsync(HttpContext context, string id)
    {
        context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
        var (key, refused) = await authenticator.AuthenticateAsync(context);
        if (refused is not null)
        {
            await RelayHttp.WriteErrorAsync(context, refused);
            return;
        }

        var snapshot = await catalog.GetAsync();
        var model = snapshot.Listed.FirstOrDefault(m => m.PublicId == id);
        if (model is null || !key!.MayUse(id))
        {
            await RelayHttp.WriteErrorAsync(context, OpenAiErrors.ModelNotFound(id));
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer)) WriteModel(writer, model);
        await WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static void WriteModel(Utf8JsonWriter writer, RelayModel model)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, model.PublicId);
        writer.WriteString("object"u8, "model"u8);
        writer.WriteNumber("created"u8, model.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("owned_by"u8, "portal"u8);
        writer.WriteEndObject();
    }

    internal static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }
}
