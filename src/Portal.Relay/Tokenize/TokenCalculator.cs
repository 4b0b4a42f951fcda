using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.Relay.Billing;
using Portal.Relay.Errors;
using Portal.Relay.Tokens;

namespace Portal.Relay.Tokenize;

/// <summary>What a request would count and cost: the token calculator page and <c>POST /v1/tokenize</c> show this.</summary>
/// <param name="Kind">Chat (messages) or embedding (input).</param>
/// <param name="Encoding">The model's tokenizer.</param>
/// <param name="InputTokens">The prompt as the relay counts it at admission and meters it when the upstream reports no usage.</param>
/// <param name="OutputTokens">The <c>max_tokens</c> asked for (0 when none was given, or for embeddings).</param>
/// <param name="InputCost">The input tokens at the input price.</param>
/// <param name="OutputCost">The output tokens at the output price.</param>
/// <param name="Total">The cost of both, rounded once (so it may exceed the sum of the two parts by a micro-yuan).</param>
/// <param name="PlanCredit">The part of <paramref name="Total"/> the tenant's live plan credit would pay (plan credit is drawn first).</param>
/// <param name="Wallet">The part the balance would pay.</param>
public sealed record TokenEstimate(ModelKind Kind, TokenEncoding Encoding, int InputTokens, int OutputTokens, Money InputCost, Money OutputCost, Money Total, Money PlanCredit, Money Wallet);

/// <summary>
/// Counts a chat completions body (its <c>messages</c> and <c>tools</c>) or an embeddings body (its <c>input</c>) with
/// exactly the calls the relay makes when it admits and meters such a request (<see cref="TokenCounter"/>), after the
/// same request validation, and prices it with <see cref="Pricing"/>.
/// </summary>
public static class TokenCalculator
{
    public static TokenEncoding EncodingOf(ModelTokenizer tokenizer) => tokenizer == ModelTokenizer.Cl100kBase ? TokenEncoding.Cl100kBase : TokenEncoding.O200kBase;

    public static string EncodingName(TokenEncoding encoding) => encoding == TokenEncoding.Cl100kBase ? "cl100k_base" : "o200k_base";

    /// <summary>Counts and prices <paramref name="requestJson"/>; an invalid body gets the relay's own 400 error.</summary>
    public static Result<TokenEstimate> Estimate(ReadOnlySpan<byte> requestJson, ModelKind kind, TokenEncoding encoding, ModelPrices prices, Money planCreditAvailable)
    {
        int input, output;
        if (kind == ModelKind.Chat)
        {
            var shape = ChatRequestShape.Validate(requestJson);
            if (!shape.IsSuccess) return shape.Error;
            input = TokenCounter.Shared.CountChatPrompt(requestJson, encoding);
            output = shape.Value.MaxOutputTokens ?? 0;
        }
        else
        {
            var shape = EmbeddingsRequestShape.Validate(requestJson);
            if (!shape.IsSuccess) return shape.Error;
            input = TokenCounter.Shared.CountEmbeddingsInput(requestJson, encoding);
            output = 0;
        }

        var total = Pricing.Cost(input, 0, output, prices);
        var split = Pricing.SplitCharge(total, planCreditAvailable);
        return new TokenEstimate(kind, encoding, input, output, Pricing.Cost(input, 0, 0, prices), Pricing.Cost(0, 0, output, prices), total, split.PlanPart, split.WalletPart);
    }
}
