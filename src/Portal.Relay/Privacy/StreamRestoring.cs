using System.Buffers;
using Portal.Relay.Protocols.Canonical;

namespace Portal.Relay.Privacy;

/// <summary>
/// Puts masked values back into a canonical event stream before the client's encoder writes it: text deltas and each
/// tool call's argument fragments go through their own <see cref="PiiMasker.StreamRestorer"/>, so a placeholder split
/// across events (<c>[手机</c> | <c>号_1]</c>) is still restored; what is held back is written before the next other event.
/// </summary>
internal sealed class StreamRestoring(PiiMasker masker)
{
    private readonly PiiMasker.StreamRestorer _text = masker.NewStreamRestorer();
    private readonly Dictionary<int, PiiMasker.StreamRestorer> _arguments = [];

    public void Encode(StreamEvent e, IStreamEncoder encoder, IBufferWriter<byte> output)
    {
        switch (e)
        {
            case TextDelta text:
                if (_text.Push(text.Text) is { Length: > 0 } ready) encoder.Encode(new TextDelta(ready), output);
                return;
            case ToolCallArgumentsDelta arguments:
                FlushText(encoder, output);
                if (!_arguments.TryGetValue(arguments.ToolIndex, out var restorer)) _arguments[arguments.ToolIndex] = restorer = masker.NewStreamRestorer();
                if (restorer.Push(arguments.JsonFragment) is { Length: > 0 } fragment) encoder.Encode(new ToolCallArgumentsDelta(arguments.ToolIndex, fragment), output);
                return;
            default:
                FlushText(encoder, output);
                FlushArguments(encoder, output);
                encoder.Encode(e, output);
                return;
        }
    }

    private void FlushText(IStreamEncoder encoder, IBufferWriter<byte> output)
    {
        if (_text.Flush() is { Length: > 0 } held) encoder.Encode(new TextDelta(held), output);
    }

    private void FlushArguments(IStreamEncoder encoder, IBufferWriter<byte> output)
    {
        foreach (var (index, restorer) in _arguments)
            if (restorer.Flush() is { Length: > 0 } held) encoder.Encode(new ToolCallArgumentsDelta(index, held), output);
    }
}
