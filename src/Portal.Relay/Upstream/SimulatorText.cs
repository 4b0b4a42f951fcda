namespace Portal.Relay.Upstream;

/// <summary>The canned sentences the simulator builds replies from, in English and in Chinese.</summary>
internal static class SimulatorText
{
    public const string EnglishOpening = "This is a simulated reply from the Portal simulator channel.";

    public const string ChineseOpening = "这是 Portal 模拟通道生成的回复。";

    public static readonly string[] English =
    [
        " No real model was called, so this answer costs the platform nothing upstream.",
        " The relay meters it exactly like a real completion, so usage and billing can be tested end to end.",
        " Replies are deterministic: the same question always gets the same answer.",
        " Streaming requests receive this text in small chunks, followed by a usage chunk when asked for.",
        " Latency, speed and failure rate are configurable per simulator channel.",
        " Use it to try API keys, rate limits, holds and settlement without spending real money.",
        " Switch the model's channel to a real upstream when you are ready.",
        " Token counts here are computed with the same tokenizer the relay uses for estimates.",
    ];

    public static readonly string[] Chinese =
    [
        "本次请求没有调用真实模型，上游不产生任何费用。",
        "中转服务会像对待真实回复一样计量这段内容，方便端到端测试用量与计费。",
        "回复是确定性的：同样的问题总会得到同样的回答。",
        "流式请求会分块收到这段文字，如果请求了用量，最后还会收到用量信息。",
        "每个模拟通道都可以配置延迟、生成速度和失败率。",
        "您可以用它测试 API 密钥、速率限制、预扣和结算，而不花真钱。",
        "准备就绪后，把模型的通道切换到真实上游即可。",
        "这里的 token 数由中转服务估算用量时所用的同一个分词器计算。",
    ];

    /// <summary>True when <paramref name="text"/> contains a CJK unified ideograph (basic block, extension A or compatibility).</summary>
    public static bool ContainsCjk(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF')) return true;
        }

        return false;
    }
}
