using Microsoft.AspNetCore.Components.Forms;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Support;

namespace Portal.Web.Components.Pages.Support;

/// <summary>Opens the files picked in a ticket form as streams from the browser (never held whole in memory).</summary>
public sealed class TicketUploads : IAsyncDisposable
{
    private readonly List<Stream> _streams = [];

    private TicketUploads()
    {
    }

    public List<TicketFileInput> Inputs { get; } = [];

    /// <summary>The name of the first file over the size limit (nothing is opened then), or null.</summary>
    public string? TooLarge { get; private init; }

    public static TicketUploads Open(IReadOnlyList<IBrowserFile> files)
    {
        if (files.FirstOrDefault(f => f.Size > KycLimits.DocumentMaxBytes) is { } big) return new TicketUploads { TooLarge = big.Name };
        var uploads = new TicketUploads();
        foreach (var file in files)
        {
            var stream = file.OpenReadStream(KycLimits.DocumentMaxBytes);
            uploads._streams.Add(stream);
            uploads.Inputs.Add(new TicketFileInput(file.Name, stream));
        }

        return uploads;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in _streams) await stream.DisposeAsync();
    }
}
