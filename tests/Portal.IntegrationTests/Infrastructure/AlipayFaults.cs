namespace Portal.IntegrationTests.Infrastructure;

/// <summary>Faults a test arms for the portal's next calls to the Alipay gateway.</summary>
public sealed class AlipayFaults
{
    private int _lostRefundResponses;

    /// <summary>
    /// The next <paramref name="count"/> refund calls reach Alipay (which refunds) but their answers are lost on the
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

/// <summary>Sits in the Alipay HttpClient's pipeline and applies <see cref="AlipayFaults"/>.</summary>
public sealed class AlipayFaultHandler(AlipayFaults faults) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isRefund = request.Content is not null && (await request.Content.ReadAsStringAsync(cancellationToken)).Contains("method=alipay.trade.refund", StringComparison.Ordinal);
        var response = await base.SendAsync(request, cancellationToken);
        if (isRefund && faults.TakeLostRefundResponse())
        {
            response.Dispose();
            throw new TaskCanceledException("Simulated timeout: Alipay processed the refund but its answer was lost.");
        }

        return response;
    }
}
