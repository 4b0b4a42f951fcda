using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Portal.Relay.Auth;
using Portal.Relay.Catalog;
using Portal.Relay.Errors;

namespace Portal.Relay.Endpoints;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: the models this key may call (enabled, with a channel, in its
/// scope). In OpenAI's shape, or in Anthropic's (<c>type: model</c>, <c>has_more</c>, its error shape) when the request
/// carries <c>anthropic-version</c>, as the Anthropic SDKs' <c>models.list()</c> sends.
/// </summary>
internal sealed class ModelsEndpoint(RelayAuthenticator authenticator, CatalogCache catalog, RelaySurfaces surfaces)
{
    private static bool IsAnthropic(HttpContext context) => context.Request.Headers.ContainsKey("anthropic-version");

    private Task WriteErrorAsync(HttpContext context, OpenAiErrorResponse error) =>
        IsAnthropic(context) ? surfaces.Messages.WriteErrorAsync(context, error) : RelayHttp.WriteErrorAsync(context, error);

    public async Task ListAsync(HttpContext context)
    {
        context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
        var (key, refused) = await authenticator.AuthenticateAsync(context);
        if (refused is not null)
        {
            await WriteErrorAsync(context, refused);
            return;
        }

        var snapshot = await catalog.GetAsync();
        var buffer = new ArrayBufferWriter<byte>(4096);
        if (IsAnthropic(context))
        {
            var models = snapshot.Listed.Where(m => key!.MayUse(m.PublicId)).ToList();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("data"u8);
                foreach (var model in models) WriteAnthropicModel(writer, model);
                writer.WriteEndArray();
                writer.WriteBoolean("has_more"u8, false);
                if (models.Count == 0)
                {
                    writer.WriteNull("first_id"u8);
                    writer.WriteNull("last_id"u8);
                }
                else
                {
                    writer.WriteString("first_id"u8, models[0].PublicId);
                    writer.WriteString("last_id"u8, models[^1].PublicId);
                }

                writer.WriteEndObject();
            }

            await WriteJsonAsync(context, buffer.WrittenMemory);
            return;
        }

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
            await WriteErrorAsync(context, refused);
            return;
        }

        var snapshot = await catalog.GetAsync();
        var model = snapshot.Listed.FirstOrDefault(m => m.PublicId == id);
        if (model is null || !key!.MayUse(id))
        {
            await WriteErrorAsync(context, OpenAiErrors.ModelNotFound(id));
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (IsAnthropic(context)) WriteAnthropicModel(writer, model);
            else WriteModel(writer, model);
        }

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

    private static void WriteAnthropicModel(Utf8JsonWriter writer, RelayModel model)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "model"u8);
        writer.WriteString("id"u8, model.PublicId);
        writer.WriteString("display_name"u8, model.DisplayName);
        writer.WriteString("created_at"u8, model.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
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
