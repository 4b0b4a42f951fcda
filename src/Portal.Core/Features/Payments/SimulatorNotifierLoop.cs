using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Features.Payments;

/// <summary>
/// The background loop a payment simulator delivers its notifications with (Alipay's and WeChat Pay's): every second,
/// or at once when <see cref="Signal"/> says something was paid, it calls <see cref="DeliverDueAsync"/>, which claims due
/// deliveries by conditional UPDATE and schedules retries. Tests turn the loop off and call <see cref="DeliverDueAsync"/>.
/// </summary>
public abstract class SimulatorNotifierLoop(ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Asks the loop to look for due notifications now rather than at its next tick.</summary>
    public void Signal()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    /// <summary>Sends every notification that is due; returns how many the merchant acknowledged.</summary>
    public abstract Task<int> DeliverDueAsync(CancellationToken cancellationToken = default);

    /// <summary>True when the simulator is the configured rail and its loop is to run.</summary>
    protected abstract bool Enabled { get; }

    /// <summary>When delivery attempt <paramref name="attempt"/> (0-based) fails: the next try, or null to give up.</summary>
    protected static DateTimeOffset? NextAttempt(TimeSpan[] schedule, int attempt, DateTimeOffset now) => attempt < schedule.Length ? now + schedule[attempt] : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{Notifier}'s notification loop failed; retrying", GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }
}
