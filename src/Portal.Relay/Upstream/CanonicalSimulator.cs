using System.Buffers;
using System.Text;
using System.Text.Json;
using Portal.Core.Features.Catalog;
using Portal.Relay.Forwarding;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Tokens;

namespace Portal.Relay.Upstream;

/// <summary>A simulated answer in some family's wire format: a whole body, a list of events, or the upstream refusing the request.</summary>
internal sealed record SimulatedAnswer(byte[]? Body, IReadOnlyList<SimulatedChunk>? Chunks, TimeSpan Delay, (int Status, byte[] Body)? ClientError);

/// <summary>
/// The simulator for every wire family besides OpenAI chat (which <see cref="SimulatorUpstream"/> writes directly): the
/// request is decoded with the family's codec, answered in the canonical model — the same deterministic text, or a call
/// of the first (or the required) tool when the request offers tools and the last turn is the user's — and encoded
/// back with the family's codec, streamed event by event.
/// </summary>
internal sealed class SimulatedUpstreams(ChatCodecs codecs)
{
    public SimulatedAnswer Answer(SimulatorUpstream simulator, ChannelSettings settings, UpstreamCall call)
    {
        var codec = codecs.For(settings.Family);
        if (settings.Family == WireFamily.Gemini && call.Endpoint is UpstreamEndpoint.EmbedContent or UpstreamEndpoint.BatchEmbedContents)
        {
            var embeddings = simulator.CreateGeminiEmbeddings(call.Body.Span, batch: call.Endpoint == UpstreamEndpoint.BatchEmbedContents);
            return embeddings is null
                ? Refuse(codec, 400, "Invalid JSON payload: expected an embedContent request.")
                : new SimulatedAnswer(embeddings, null, simulator.Latency, null);
        }

        if (codec is null || (call.Endpoint != ChatCodecs.ChatEndpointFor(settings.Family) && call.Endpoint != UpstreamEndpoint.CountTokens))
            return Refuse(codec, 404, $"The simulator does not serve {call.Endpoint} in the {settings.Family} wire format.");

        ChatRequest request;
        try
        {
            request = codec.DecodeRequest(call.Body.Span);
        }
        catch (TranslationException e)
        {
            return Refuse(codec, 400, e.Message);
        }

        var model = call.UpstreamModel;
        var encoding = TokenEncodings.ForModel(model);
        var promptTokens = CanonicalTokens.CountPrompt(request, encoding);
        if (call.Endpoint == UpstreamEndpoint.CountTokens)
            return new SimulatedAnswer(Encoding.UTF8.GetBytes($$"""{"input_tokens":{{promptTokens}}}"""), null, simulator.Latency, null);

        var response = Compose(simulator, request, model, promptTokens, encoding);
        if (!call.Stream)
        {
            var body = new ArrayBufferWriter<byte>(1024);
            codec.EncodeResponse(response, model, body);
            return new SimulatedAnswer(body.WrittenSpan.ToArray(), null, simulator.Latency + simulator.GenerationTime(response.Usage!.Value.CompletionTokens), null);
        }

        var encoder = codec.CreateStreamEncoder(new StreamEncoding(model, IncludeUsage: true, response.Created));
        var chunks = new List<SimulatedChunk>();
        var perChunk = simulator.GenerationTime(1);
        void Emit(StreamEvent e, TimeSpan delay)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            encoder.Encode(e, buffer);
            if (buffer.WrittenCount > 0) chunks.Add(new SimulatedChunk(delay, buffer.WrittenSpan.ToArray()));
        }

        Emit(new MessageStarted(response.Id, model, new TokenUsage(promptTokens, 0, 1, false)), simulator.Latency);
        var toolIndex = 0;
        foreach (var part in response.Content)
        {
            if (part is TextPart text)
                foreach (var piece in SimulatorUpstream.SplitForStreaming(text.Text)) Emit(new TextDelta(piece), perChunk);
            else if (part is ToolCallPart toolCall)
            {
                Emit(new ToolCallStarted(toolIndex, toolCall.Id, toolCall.Name), perChunk);
                var half = toolCall.ArgumentsJson.Length / 2;
                Emit(new ToolCallArgumentsDelta(toolIndex, toolCall.ArgumentsJson[..half]), perChunk);
                Emit(new ToolCallArgumentsDelta(toolIndex, toolCall.ArgumentsJson[half..]), perChunk);
                toolIndex++;
            }
        }

        Emit(new MessageFinished(response.FinishReason), TimeSpan.Zero);
        Emit(new UsageReported(response.Usage!.Value), TimeSpan.Zero);
        Emit(StreamCompleted.Instance, TimeSpan.Zero);
        return new SimulatedAnswer(null, chunks, simulator.Latency, null);
    }

    private static ChatResponse Compose(SimulatorUpstream simulator, ChatRequest request, string model, int promptTokens, TokenEncoding encoding)
    {
        var response = new ChatResponse { Id = simulator.NextId("msg_sim", 24), Model = model, Created = simulator.UnixNow };
        var last = request.Messages.LastOrDefault();
        var tool = request.ToolChoice?.Kind == ToolChoiceKind.None || last?.Role != ChatRole.User ? null
            : request.ToolChoice?.Kind == ToolChoiceKind.Function ? request.Tools.FirstOrDefault(t => t.Name == request.ToolChoice.Name)
            : request.Tools.FirstOrDefault();
        if (tool is not null && !last!.Parts.Any(p => p is ToolResultPart))
        {
            var arguments = SampleArguments(tool.ParametersJson);
            response.Content.Add(new ToolCallPart(simulator.NextId("call_sim", 24), tool.Name, arguments));
            response.FinishReason = FinishReason.ToolCalls;
            response.Usage = new TokenUsage(promptTokens, 0, TokenCounter.Shared.CountText(tool.Name + arguments, encoding), false);
            return response;
        }

        var question = last is null ? "" : string.Concat(last.Parts.Select(p => p switch
        {
            TextPart t => t.Text,
            ToolResultPart r => string.Concat(r.Content.OfType<TextPart>().Select(t => t.Text)),
            _ => "",
        }));
        var (text, truncated) = simulator.ComposeText(model, question, request.MaxOutputTokens);
        response.Content.Add(new TextPart(text));
        response.FinishReason = truncated ? FinishReason.Length : FinishReason.Stop;
        response.Usage = new TokenUsage(promptTokens, 0, TokenCounter.Shared.CountText(text, encoding), false);
        return response;
    }

    /// <summary>Arguments that satisfy a simple schema: each required property gets a sample of its type.</summary>
    internal static string SampleArguments(string schemaJson)
    {
        try
        {
            using var schema = JsonDocument.Parse(schemaJson);
            var root = schema.RootElement;
            var properties = root.Property("properties");
            var required = root.Array("required").Select(r => r.GetString()).OfType<string>().ToList();
            var buffer = new ArrayBufferWriter<byte>(128);
            using (var w = new Utf8JsonWriter(buffer, WireJson.WriterOptions))
            {
                w.WriteStartObject();
                foreach (var name in required)
                {
                    w.WritePropertyName(name);
                    var type = properties?.Property(name)?.String("type");
                    var choices = properties?.Property(name)?.Property("enum");
                    if (choices is { ValueKind: JsonValueKind.Array } values && values.GetArrayLength() > 0) values[0].WriteTo(w);
                    else if (type is "integer" or "number") w.WriteNumberValue(1);
                    else if (type == "boolean") w.WriteBooleanValue(true);
                    else if (type == "array") { w.WriteStartArray(); w.WriteEndArray(); }
                    else if (type == "object") { w.WriteStartObject(); w.WriteEndObject(); }
                    else w.WriteStringValue("simulated");
                }

                w.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            return "{}";
        }
    }

    private static SimulatedAnswer Refuse(IChatCodec? codec, int status, string message) =>
        new(null, null, TimeSpan.Zero, (status, codec?.EncodeError(new UpstreamError(status, message)) ?? Encoding.UTF8.GetBytes(message)));
}
