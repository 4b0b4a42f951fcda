using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// The prompt tokens of a Responses request, by the same recipe as chat prompts (<see cref="TokenCounter"/>): the
/// instructions and every message cost <see cref="TokenCounter.TokensPerMessage"/> plus their text; a function call costs
/// its name and arguments, a function output its text; images the flat estimates; tools their JSON definition; plus the
/// reply priming. Used for the hold and as the prompt count when the upstream reports no usage.
/// </summary>
internal static class ResponsesPromptTokens
{
    public static long Count(ResponsesRequest request, TokenEncoding encoding)
    {
        var counter = TokenCounter.Shared;
        long total = TokenCounter.ReplyPriming;
        if (request.Instructions is { } instructions) total += TokenCounter.TokensPerMessage + counter.CountText(instructions, encoding);
        foreach (var item in request.Input)
        {
            total += TokenCounter.TokensPerMessage;
            switch (item)
            {
                case ResponsesMessage message:
                    total += counter.CountText(message.Role, encoding);
                    foreach (var part in message.Content)
                    {
                        total += part switch
                        {
                            ResponsesText text => counter.CountText(text.Text, encoding),
                            ResponsesImage image => image.Detail == "low" ? TokenCounter.LowDetailImageTokens : TokenCounter.HighDetailImageTokens,
                            _ => 0,
                        };
                    }

                    break;
                case ResponsesFunctionCall call:
                    total += counter.CountText(call.Name, encoding) + counter.CountText(call.Arguments, encoding);
                    break;
                case ResponsesFunctionCallOutput output:
                    total += counter.CountText(output.Output, encoding);
                    break;
            }
        }

        foreach (var tool in request.Tools)
        {
            total += counter.CountText(tool.Name, encoding);
            if (tool.Description is { } description) total += counter.CountText(description, encoding);
            if (tool.Parameters is { } parameters) total += counter.CountText(parameters.GetRawText(), encoding);
        }

        return total;
    }
}
