using Portal.Core.Features.Catalog;

namespace Portal.UnitTests.Features.Catalog;

public class ModelValidatorTests
{
    private static readonly CreateModel.Validator Validator = new(new EnglishLocalizer());

    private static readonly CreateModel.Command Valid = new("gpt-4o", "GPT-4o", ModelKind.Chat, "21", "105", "10.5", 128_000, 16_384, 4_096, ModelTokenizer.O200kBase, true);

    private static string[] Failing(CreateModel.Command command) => Validator.Validate(command).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    [Fact]
    public void A_complete_chat_model_is_valid() => Assert.Empty(Failing(Valid));

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("text-embedding-3-small")]
    [InlineData("deepseek/deepseek-chat:free")]
    [InlineData("qwen2.5_72b.instruct")]
    public void Public_ids_of_letters_digits_and_separators_are_accepted(string id) => Assert.Empty(Failing(Valid with { PublicId = id }));

    [Theory]
    [InlineData("")]
    [InlineData("gpt 4o")]
    [InlineData("gpt-4o?")]
    [InlineData("模型")]
    [InlineData("a+b")]
    public void Public_ids_with_other_characters_are_refused(string id) => Assert.Equal(["PublicId"], Failing(Valid with { PublicId = id }));

    [Fact]
    public void Public_ids_longer_than_100_characters_are_refused()
    {
        Assert.Empty(Failing(Valid with { PublicId = new string('a', 100) }));
        Assert.Equal(["PublicId"], Failing(Valid with { PublicId = new string('a', 101) }));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.000001")]
    [InlineData("¥1,050.123456")]
    public void Prices_are_yuan_with_up_to_six_decimals(string price)
    {
        Assert.Empty(Failing(Valid with { InputPrice = price, OutputPrice = price, CachedInputPrice = price }));
        Assert.True(CatalogPrices.TryParse(price, out _));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0.0000001")]
    [InlineData("abc")]
    [InlineData("")]
    public void Negative_too_fine_or_missing_prices_are_refused(string price) =>
        Assert.Equal(["InputPrice", "OutputPrice", "CachedInputPrice"], Failing(Valid with { InputPrice = price, OutputPrice = price, CachedInputPrice = price }));

    [Fact]
    public void Prices_convert_to_micro_yuan_exactly()
    {
        Assert.True(CatalogPrices.TryParse("21", out var input));
        Assert.Equal(21_000_000, input);
        Assert.True(CatalogPrices.TryParse("0.525", out var cached));
        Assert.Equal(525_000, cached);
        Assert.Equal("¥21.00", CatalogPrices.Format(input));
        Assert.Equal("¥0.525", CatalogPrices.Format(cached));
        Assert.Equal("0.525", CatalogPrices.ToInput(cached));
    }

    [Fact]
    public void Token_limits_must_be_positive_and_the_hold_within_max_output()
    {
        Assert.Contains("ContextWindow", Failing(Valid with { ContextWindow = 0 }));
        Assert.Contains("MaxOutputTokens", Failing(Valid with { MaxOutputTokens = 0 }));
        Assert.Contains("MaxOutputTokens", Failing(Valid with { MaxOutputTokens = 200_000 }));
        Assert.Contains("DefaultHoldOutputTokens", Failing(Valid with { DefaultHoldOutputTokens = 0 }));
        Assert.Equal(["DefaultHoldOutputTokens"], Failing(Valid with { DefaultHoldOutputTokens = 16_385 }));
        Assert.Empty(Failing(Valid with { DefaultHoldOutputTokens = 16_384 }));
    }

    [Fact]
    public void Embeddings_need_no_output_price_or_output_limits()
    {
        var embedding = Valid with { PublicId = "text-embedding-3-small", Kind = ModelKind.Embedding, OutputPrice = "", MaxOutputTokens = 0, DefaultHoldOutputTokens = 0, ContextWindow = 8_191 };
        Assert.Empty(Failing(embedding));
    }
}
