namespace Portal.IntegrationTests.Infrastructure;

/// <summary>Faults a test arms for the portal's next calls to a payment rail (Alipay or WeChat Pay).</summary>
public sealed class RailFaults
{
    private int _lostRefundResponses;

    /// <summary>
    /// The next <paramref name="count"/> refund calls reach the rail (which refunds) but their answers are lost on the
    /// way back, as in a timeout: the portal cannot know whether money moved.
    /// </summary>
    public void LoseNextRefundResponses(int count = 1) => Interlocked.Exchange(ref _lostRefundResponses, count);

    internal bool TakeLostRefundResponse()
    {
        while (true)
        {
            var left = Volatile.Read(ref _lostRefundResponses);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _lostRefundResponses, left - 1, left) == left) return true;
        }
    }
}

/// <summary>Sits in a rail's HttpClient pipeline and applies <see cref="RailFaults"/> to the calls that are refunds.</summary>
public class RailFaultHandler(RailFaults faults, Func<HttpRequestMessage, string, bool> isRefund) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var refund = isRefund(request, body);
        var response = await base.SendAsync(request, cancellationToken);
        if (refund && faults.TakeLostRefundResponse())
        {
            response.Dispose();
            throw new TaskCanceledException("Simulated timeout: the rail processed the refund but its answer was lost.");
        }

        return response;
    }
}

public sealed class AlipayFaultHandler(RailFaults faults)
    : RailFaultHandler(faults, (_, body) => body.Contains("method=alipay.trade.refund", StringComparison.Ordinal));

public sealed class WechatPayFaultHandler(RailFaults faults)
    : RailFaultHandler(faults, (request, _) => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/v3/refund/domestic/refunds", StringComparison.Ordinal));
