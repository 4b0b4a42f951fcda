using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Portal.Web.Hosting;

/// <summary>
/// Hangfire's log provider is process-wide (a static), so with several hosts in one process (the test suites, the
/// benchmarks) the last one configured wins and may already be disposed while another host starts or runs. This one
/// logs through the host's logger factory like Hangfire's own, and goes silent instead of throwing once that factory is
/// disposed. A process with one host (production) logs exactly as before.
/// </summary>
internal sealed class TolerantHangfireLogProvider(ILoggerFactory loggerFactory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggerFactory);

    public ILog GetLogger(string name)
    {
        try
        {
            return new Tolerant(_inner.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Tolerant(ILog inner) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                return inner.Log(logLevel, messageFunc, exception);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    private sealed class Silent : ILog
    {
        public static readonly Silent Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
