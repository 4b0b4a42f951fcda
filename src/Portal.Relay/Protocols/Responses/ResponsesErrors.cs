using System.Buffers;
using System.Text.Json;
using Portal.Relay.Errors;

namespace Portal.Relay.Protocols.Responses;

/// <summary>Errors of the Responses surface that are not plain OpenAI error bodies.</summary>
internal static class ResponsesErrors
{
    /// <summary>
    /// The Responses API's <c>error</c> event (<c>{"type":"error","code","message","param"}</c>), which ends a passed-through
    /// stream the upstream broke off.
    /// </summary>
    public static void WriteErrorEvent(IBufferWriter<byte> output, OpenAiErrorResponse error)
    {
        Write(output, "event: error\ndata: "u8);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteString("code", error.Error.Code);
            writer.WriteString("message", error.Error.Message);
            writer.WriteNull("param");
            writer.WriteEndObject();
        }

        Write(output, "\n\n"u8);
    }

    /// <summary>400: the request has a field that a translation for this model's channels cannot express.</summary>
    public static OpenAiErrorResponse Untranslatable(string field, string model) => OpenAiErrors.InvalidRequest(
        $"The field '{field}' cannot be translated for the model `{model}`, whose channels do not serve the Responses API. Remove it, or use a model served by a channel with the Responses API.",
        field.Split(' ')[0],
        "unsupported_parameter");

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
