using System.Text;
using Portal.Relay.Errors;

namespace Portal.UnitTests.Relay.Errors;

public class EmbeddingsRequestShapeTests
{
    [Theory]
    [InlineData("""{"model":"e","input":"hello"}""", 1)]
    [InlineData("""{"model":"e","input":["a","b","c"]}""", 3)]
    [InlineData("""{"model":"e","input":[1,2,3]}""", 1)]
    [InlineData("""{"model":"e","input":[[1,2],[3]],"dimensions":64}""", 2)]
    public void Accepts_every_input_shape(string json, int inputs)
    {
        var result = EmbeddingsRequestShape.Validate(Encoding.UTF8.GetBytes(json));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(new EmbeddingsRequestShape("e", inputs), result.Value);
    }

    [Theory]
    [InlineData("""{"input":"x"}""", "model")]
    [InlineData("""{"model":"e"}""", "input")]
    [InlineData("""{"model":"e","input":""}""", "input")]
    [InlineData("""{"model":"e","input":[]}""", "input")]
    [InlineData("""{"model":"e","input":["a",1]}""", "input")]
    [InlineData("""{"model":"e","input":[[]]}""", "input")]
    [InlineData("""{"model":"e","input":{"a":1}}""", "input")]
    [InlineData("""{"model":"e","input":[["a"]]}""", "input")]
    [InlineData("""{"model":"e","input":"a","dimensions":0}""", "dimensions")]
    [InlineData("""{"model":"e","input":"a","dimensions":"64"}""", "dimensions")]
    [InlineData("""{"model":"e","input":"a","dimensions":1e12}""", "dimensions")]
    [InlineData("""{"model":"e","input":"a","encoding_format":"int8"}""", "encoding_format")]
    [InlineData("""{"model":"e","input":"a","encoding_format":7}""", "encoding_format")]
    public void Rejects_bad_inputs(string json, string param)
    {
        var result = EmbeddingsRequestShape.Validate(Encoding.UTF8.GetBytes(json));

        Assert.False(result.IsSuccess);
        Assert.Equal(param, Assert.IsType<InvalidRequestError>(result.Error).Param);
    }

    [Fact]
    public void Rejects_malformed_json()
    {
        var result = EmbeddingsRequestShape.Validate("{\"model\":"u8);

        Assert.Equal("invalid_json", Assert.IsType<InvalidRequestError>(result.Error).OpenAiCode);
    }

    [Fact]
    public void Rejects_more_inputs_than_openai_allows()
    {
        var inputs = string.Join(',', Enumerable.Repeat("\"a\"", EmbeddingsRequestShape.MaxInputs + 1));

        var result = EmbeddingsRequestShape.Validate(Encoding.UTF8.GetBytes($$"""{"model":"e","input":[{{inputs}}]}"""));

        Assert.Equal("input", Assert.IsType<InvalidRequestError>(result.Error).Param);
        Assert.True(EmbeddingsRequestShape.Validate(Encoding.UTF8.GetBytes($$"""{"model":"e","input":[{{inputs[4..]}}]}""")).IsSuccess);
    }
}
