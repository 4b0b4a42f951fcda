using System.Buffers;
using System.Text;
using System.Text.Json;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Protocols.Gemini;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;
using Portal.UnitTests.Relay.Streaming;

namespace Portal.UnitTests.Relay.Protocols;

public class GeminiChatCodecTests
{
    private static readonly GeminiChatCodec Codec = GeminiChatCodec.Instance;

    [Fact]
    public void A_canonical_conversation_becomes_geminis_request()
    {
        var request = new ChatRequest { Model = "m", MaxOutputTokens = 100, Temperature = 0.2, ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonObject) };
        request.System.Add(new TextPart("Be brief."));
        request.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("Weather in Paris?"), ImagePart.FromUrl("data:image/png;base64,iVBORw0KGgo=")]));
        request.Messages.Add(new ChatMessage(ChatRole.Assistant, [new ToolCallPart("call_1", "get_weather", """{"city":"Paris"}""")]));
        request.Messages.Add(new ChatMessage(ChatRole.Tool, [new ToolResultPart("call_1", [new TextPart("22°C")])]));
        request.Tools.Add(new ChatTool("get_weather", "Weather", """{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}"""));
        request.ToolChoice = new ToolChoice(ToolChoiceKind.Function, "get_weather");
        var output = new ArrayBufferWriter<byte>();
        Codec.EncodeRequest(request, "gemini-2.5-flash", output);

        Assert.Equal(
            """{"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]},"""
            + """{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"content":"22°C"}}}]}]"""
            + ""","systemInstruction":{"parts":[{"text":"Be brief."}]},"tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}}]}]"""
            + ""","toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}},"generationConfig":{"temperature":0.2,"maxOutputTokens":100,"responseMimeType":"application/json"}}""",
            JsonDocument.Parse(output.WrittenMemory).RootElement.GetRawText().Replace("\\u00B0", "°"));
    }

    [Fact]
    public void A_field_gemini_cannot_express_is_refused_by_name()
    {
        var request = new ChatRequest { Model = "m" };
        request.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("hi")]));
        request.Untranslatable.Add("logit_bias");
        var error = Assert.Throws<TranslationException>(() => Codec.EncodeRequest(request, "m", new ArrayBufferWriter<byte>()));
        Assert.Equal("logit_bias", error.Param);
    }

    [Fact]
    public async Task A_gemini_stream_decodes_to_canonical_events_and_completes_with_the_finish_chunk()
    {
        var stream = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Once\"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":9,\"totalTokenCount\":9},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}\r\n\r\n"
            + "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\":1}}}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":5,\"totalTokenCount\":14}}\r\n\r\n";
        var decoder = Codec.CreateStreamDecoder();
        var events = new List<StreamEvent>();
        await using var reader = new SseEventReader(new ChunkedStream(Encoding.UTF8.GetBytes(stream), () => 5));
        while (await reader.ReadAsync()) decoder.Decode(reader.Current, events);

        Assert.Equal(new MessageStarted("r1", "gemini-2.5-flash", null), events[0]);
        Assert.Equal(new TextDelta("Once"), events[1]);
        Assert.Contains(new ToolCallStarted(0, "call_0", "f"), events);
        Assert.Contains(new ToolCallArgumentsDelta(0, """{"a":1}"""), events);
        Assert.Contains(new MessageFinished(FinishReason.ToolCalls), events);
        Assert.Equal(new UsageReported(new TokenUsage(9, 0, 5, IsEstimated: false)), events[^2]);
        Assert.Same(StreamCompleted.Instance, events[^1]);
    }

    [Fact]
    public void What_the_simulator_encodes_the_relay_decodes_back()
    {
        var encoder = Codec.CreateStreamEncoder(new StreamEncoding("gemini-2.5-flash", true, 1));
        var output = new ArrayBufferWriter<byte>();
        foreach (var e in new StreamEvent[] { new MessageStarted("s1", "gemini-2.5-flash", null), new TextDelta("Hi"), new TextDelta(" there"), new MessageFinished(FinishReason.Stop), new UsageReported(new TokenUsage(3, 0, 2, false)), StreamCompleted.Instance })
            encoder.Encode(e, output);

        var whole = new ChatResponse { Id = "s1", Model = "gemini-2.5-flash", Usage = new TokenUsage(3, 0, 2, false) };
        whole.Content.Add(new TextPart("Hi there"));
        var body = new ArrayBufferWriter<byte>();
        Codec.EncodeResponse(whole, "gemini-2.5-flash", body);
        var decoded = Codec.DecodeResponse(body.WrittenSpan);
        Assert.Equal("Hi there", Assert.IsType<TextPart>(Assert.Single(decoded.Content)).Text);
        Assert.Equal(new TokenUsage(3, 0, 2, false), decoded.Usage);

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("\"finishReason\":\"STOP\"", text);
        Assert.Contains("\"text\":\" there\"", text);
    }

    [Fact]
    public void Google_errors_keep_their_message()
    {
        var error = Codec.DecodeError(400, """{"error":{"code":400,"message":"* contents is not specified\n","status":"INVALID_ARGUMENT"}}"""u8);
        Assert.Equal(400, error.Status);
        Assert.Equal("Gemini: * contents is not specified", error.Message);
        Assert.Contains("\"status\":\"RESOURCE_EXHAUSTED\"", Encoding.UTF8.GetString(Codec.EncodeError(new UpstreamError(429, "slow down"))));
    }
}
