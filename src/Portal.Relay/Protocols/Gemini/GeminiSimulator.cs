using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;
using Portal.Relay.Upstream;

namespace Portal.Relay.Protocols.Gemini;

/// <summary>
/// The built-in simulator answering in Gemini's own wire (a Simulator channel set to the Gemini family): it takes the
/// <c>generateContent</c> body the relay sends a Gemini channel and answers with a <c>GenerateContentResponse</c>, or its
/// <c>alt=sse</c> chunks, deterministically. The text, its length, the token counts and the pacing are the OpenAI
/// simulator's (<see cref="SimulatorUpstream"/>, asked with the same conversation), so every family answers a question
/// alike. Tools included: when the request declares functions and its last turn is not a function response, the model
/// calls the first declared function with arguments made from its schema's required properties.
/// </summary>
internal static class GeminiSimulator
{
    /// <summary>A whole <c>generateContent</c> answer.</summary>
    public static SimulatedResponse Generate(SimulatorUpstream simulator, string model, ReadOnlySpan<byte> geminiBody)
    {
        var (chatBody, call) = Prepare(model, geminiBody);
        var reply = simulator.CreateChatCompletion(chatBody);
        using var json = JsonDocument.Parse(reply.Body);
        var choice = json.RootElement.GetProperty("choices")[0];
        var usage = call is null ? reply.Usage : reply.Usage with { CompletionTokens = CallTokens(call, model) };
        var text = choice.GetProperty("message").GetProperty("content").GetString() ?? "";
        var part = call is null ? new GeminiPart { Text = text } : new GeminiPart { FunctionCall = call };
        var finish = call is null && choice.GetProperty("finish_reason").GetString() == "length" ? "MAX_TOKENS" : "STOP";
        return new SimulatedResponse(Serialize(Chunk(model, part, finish, usage)), reply.Delay, usage);
    }

    /// <summary>The <c>alt=sse</c> stream: a chunk per piece of text (or one with the function call), the last with <c>finishReason</c> and usage.</summary>
    public static SimulatedStream Stream(SimulatorUpstream simulator, string model, ReadOnlySpan<byte> geminiBody)
    {
        var (chatBody, call) = Prepare(model, geminiBody);
        var source = simulator.CreateChatCompletionChunks(chatBody);
        var usage = call is null ? source.Usage : source.Usage with { CompletionTokens = CallTokens(call, model) };
        var chunks = new List<SimulatedChunk>();
        if (call is not null)
        {
            chunks.Add(new SimulatedChunk(source.Chunks[0].Delay, Event(Chunk(model, new GeminiPart { FunctionCall = call }, "STOP", usage))));
            return new SimulatedStream(chunks, usage);
        }

        var pending = TimeSpan.Zero;
        string? lastText = null;
        var lastDelay = TimeSpan.Zero;
        foreach (var chunk in source.Chunks)
        {
            pending += chunk.Delay;
            var text = DeltaText(chunk.Event, out var finish);
            if (text is { Length: > 0 })
            {
                if (lastText is not null) chunks.Add(new SimulatedChunk(lastDelay, Event(Chunk(model, new GeminiPart { Text = lastText }, null, null))));
                lastText = text;
                lastDelay = pending;
                pending = TimeSpan.Zero;
            }

            if (finish is not null)
            {
                // Gemini puts finishReason and the usage on the last text chunk.
                var last = new GeminiPart { Text = lastText ?? "" };
                chunks.Add(new SimulatedChunk(lastDelay + pending, Event(Chunk(model, last, finish == "length" ? "MAX_TOKENS" : "STOP", usage))));
                return new SimulatedStream(chunks, usage);
            }
        }

        return new SimulatedStream(chunks, usage);
    }

    /// <summary><c>batchEmbedContents</c>: the OpenAI simulator's vectors for the same texts, in Gemini's shape.</summary>
    public static SimulatedResponse BatchEmbed(SimulatorUpstream simulator, string model, ReadOnlySpan<byte> geminiBody)
    {
        var request = JsonSerializer.Deserialize(geminiBody, GeminiJsonContext.Default.GeminiBatchEmbedRequest) ?? new GeminiBatchEmbedRequest();
        var texts = new JsonArray(request.Requests.Select(r => (JsonNode?)JsonValue.Create(string.Concat(r.Content.Parts.Select(p => p.Text)))).ToArray());
        var openAi = new JsonObject { ["model"] = model, ["input"] = texts };
        if (request.Requests.FirstOrDefault()?.OutputDimensionality is { } dimensions) openAi["dimensions"] = dimensions;
        var reply = simulator.CreateEmbeddings(Encoding.UTF8.GetBytes(openAi.ToJsonString()));
        using var json = JsonDocument.Parse(reply.Body);
        var answer = new GeminiBatchEmbedResponse
        {
            Embeddings = json.RootElement.GetProperty("data").EnumerateArray()
                .Select(d => new GeminiEmbedding { Values = d.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToList() })
                .ToList(),
        };
        return new SimulatedResponse(JsonSerializer.SerializeToUtf8Bytes(answer, GeminiJsonContext.Default.GeminiBatchEmbedResponse), reply.Delay, reply.Usage);
    }

    /// <summary>The same conversation as an OpenAI chat body for the text simulator, and the function to call, if any.</summary>
    private static (byte[] ChatBody, GeminiFunctionCall? Call) Prepare(string model, ReadOnlySpan<byte> geminiBody)
    {
        var request = JsonSerializer.Deserialize(geminiBody, GeminiJsonContext.Default.GeminiRequest) ?? new GeminiRequest();
        var messages = new JsonArray();
        if (request.SystemInstruction is { } system) messages.Add(new JsonObject { ["role"] = "system", ["content"] = Text(system) });
        foreach (var content in request.Contents)
            messages.Add(new JsonObject { ["role"] = content.Role == "model" ? "assistant" : "user", ["content"] = Text(content) });
        if (messages.Count == 0) messages.Add(new JsonObject { ["role"] = "user", ["content"] = "" });
        var chat = new JsonObject { ["model"] = model, ["messages"] = messages };
        if (request.GenerationConfig?.MaxOutputTokens is { } max) chat["max_tokens"] = max;

        GeminiFunctionCall? call = null;
        var lastIsFunctionResponse = request.Contents.LastOrDefault()?.Parts.Any(p => p.FunctionResponse is not null) == true;
        var mode = request.ToolConfig?.FunctionCallingConfig.Mode;
        if (!lastIsFunctionResponse && mode != "NONE" && request.Tools?.SelectMany(t => t.FunctionDeclarations ?? []).FirstOrDefault() is { } declaration)
        {
            var allowed = request.ToolConfig?.FunctionCallingConfig.AllowedFunctionNames;
            if (allowed is { Count: > 0 })
                declaration = request.Tools.SelectMany(t => t.FunctionDeclarations ?? []).FirstOrDefault(d => allowed.Contains(d.Name)) ?? declaration;
            call = new GeminiFunctionCall { Name = declaration.Name, Args = ArgumentsFor(declaration.ParametersJsonSchema) };
        }

        return (Encoding.UTF8.GetBytes(chat.ToJsonString()), call);
    }

    private static string Text(GeminiContent content) => string.Concat(content.Parts.Select(p => p.Text ?? (p.FunctionResponse is { } r ? r.Response.GetRawText() : "")));

    /// <summary>Deterministic arguments: every required property gets a value of its type (<c>"simulated"</c>, 1, true, [], {}).</summary>
    private static JsonElement ArgumentsFor(JsonElement? schema)
    {
        var args = new JsonObject();
        if (schema is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            var properties = s.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            foreach (var name in required.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!))
            {
                var type = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var prop) && prop.ValueKind == JsonValueKind.Object
                    && prop.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "string";
                var first = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out prop) && prop.ValueKind == JsonValueKind.Object
                    && prop.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0 ? JsonNode.Parse(e[0].GetRawText()) : null;
                args[name] = first ?? type switch
                {
                    "integer" or "number" => 1,
                    "boolean" => true,
                    "array" => new JsonArray(),
                    "object" => new JsonObject(),
                    _ => "simulated",
                };
            }
        }

        return JsonDocument.Parse(args.ToJsonString()).RootElement.Clone();
    }

    private static long CallTokens(GeminiFunctionCall call, string model) =>
        TokenCounter.Shared.CountText(call.Name + call.Args?.GetRawText(), TokenEncodings.ForModel(model));

    private static GeminiResponse Chunk(string model, GeminiPart part, string? finishReason, TokenUsage? usage) => new()
    {
        Candidates = [new GeminiCandidate { Content = new GeminiContent { Role = "model", Parts = [part] }, FinishReason = finishReason, Index = 0 }],
        UsageMetadata = usage is { } u
            ? new GeminiUsage { PromptTokenCount = u.PromptTokens, CandidatesTokenCount = u.CompletionTokens, TotalTokenCount = u.TotalTokens }
            : null,
        ModelVersion = model,
    };

    private static byte[] Serialize(GeminiResponse response) => JsonSerializer.SerializeToUtf8Bytes(response, GeminiJsonContext.Default.GeminiResponse);

    private static byte[] Event(GeminiResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        SseWriter.WriteData(buffer, Serialize(response));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The content of an OpenAI chunk event, and its finish reason.</summary>
    private static string? DeltaText(byte[] sseEvent, out string? finish)
    {
        finish = null;
        var data = Encoding.UTF8.GetString(sseEvent).Trim();
        if (!data.StartsWith("data: ", StringComparison.Ordinal) || data.EndsWith("[DONE]", StringComparison.Ordinal)) return null;
        using var json = JsonDocument.Parse(data["data: ".Length..]);
        var choices = json.RootElement.GetProperty("choices");
        if (choices.GetArrayLength() == 0) return null;
        var choice = choices[0];
        if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String) finish = f.GetString();
        return choice.GetProperty("delta").TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
    }
}
