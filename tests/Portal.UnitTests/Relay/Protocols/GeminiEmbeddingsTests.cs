using System.Text;
using System.Text.Json;
using Portal.Relay.Errors;
using Portal.Relay.Protocols.Gemini;

namespace Portal.UnitTests.Relay.Protocols;

public class GeminiEmbeddingsTests
{
    [Fact]
    public void Openai_inputs_become_one_batch_with_the_dimensions()
    {
        var body = GeminiEmbeddings.EncodeRequest("""{"model":"emb","input":["a","b"],"dimensions":256}"""u8, "gemini-embedding-001");
        Assert.True(body.IsSuccess);
        Assert.Equal(
            """{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":256},{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]},"outputDimensionality":256}]}""",
            Encoding.UTF8.GetString(body.Value!));
    }

    [Fact]
    public void Token_id_inputs_are_refused_naming_input()
    {
        var body = GeminiEmbeddings.EncodeRequest("""{"model":"emb","input":[[1,2,3]]}"""u8, "m");
        Assert.Equal("input", Assert.IsType<InvalidRequestError>(body.Error).Param);
    }

    [Fact]
    public void Gemini_vectors_come_back_in_openais_list_as_floats_or_base64()
    {
        var gemini = """{"embeddings":[{"values":[0.25,-0.5]},{"values":[1,0]}]}"""u8;
        var floats = JsonDocument.Parse(GeminiEmbeddings.DecodeResponse(gemini, "emb", base64: false, promptTokens: 4)!).RootElement;
        Assert.Equal(2, floats.GetProperty("data").GetArrayLength());
        Assert.Equal(-0.5f, floats.GetProperty("data")[0].GetProperty("embedding")[1].GetSingle());
        Assert.Equal(4, floats.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        var base64 = JsonDocument.Parse(GeminiEmbeddings.DecodeResponse(gemini, "emb", base64: true, promptTokens: 4)!).RootElement;
        var bytes = Convert.FromBase64String(base64.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal(-0.5f, BitConverter.ToSingle(bytes, 4));
        Assert.Null(GeminiEmbeddings.DecodeResponse("""{"error":{}}"""u8, "emb", false, 1));
    }
}
