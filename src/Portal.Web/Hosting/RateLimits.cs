using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Portal.Web.Hosting;

/// <summary>One throttle: at most <see cref="PerAddress"/> requests from one client address and <see cref="PerAccount"/> for one account per <see cref="Window"/>.</summary>
public sealed class Throttle
{
    [Range(1, 1_000_000)]
    public int PerAddress { get; set; }

    [Range(1, 1_000_000)]
    public int PerAccount { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; }

    public static Throttle Of(int perAddress, int perAccount, TimeSpan window) => new() { PerAddress = perAddress, PerAccount = perAccount, Window = window };
}

/// <summary>Bound from <c>RateLimits</c>: the throttles on sign-in, sign-up, password reset, confirmation resend, invitations, two-factor entry and Alipay's notification.</summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "RateLimits";

    /// <summary>Off only for load tests and test suites that sign in many users from one address.</summary>
    public bool Enabled { get; set; } = true;

    public Throttle SignIn { get; set; } = Throttle.Of(10, 5, TimeSpan.FromMinutes(1));

    public Throttle TwoFactor { get; set; } = Throttle.Of(10, 5, TimeSpan.FromMinutes(1));

    public Throttle SignUp { get; set; } = Throttle.Of(10, 3, TimeSpan.FromHours(1));

    public Throttle PasswordReset { get; set; } = Throttle.Of(10, 3, TimeSpan.FromHours(1));

    public Throttle ConfirmationResend { get; set; } = Throttle.Of(10, 3, TimeSpan.FromHours(1));

    public Throttle Invitations { get; set; } = Throttle.Of(60, 30, TimeSpan.FromHours(1));

    /// <summary>Alipay's notification has no account: only the per-address limit applies (Alipay delivers from a few addresses).</summary>
    public Throttle PaymentNotify { get; set; } = Throttle.Of(600, 600, TimeSpan.FromMinutes(1));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, throttle) in new[] { (nameof(SignIn), SignIn), (nameof(TwoFactor), TwoFactor), (nameof(SignUp), SignUp), (nameof(PasswordReset), PasswordReset), (nameof(ConfirmationResend), ConfirmationResend), (nameof(Invitations), Invitations), (nameof(PaymentNotify), PaymentNotify) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(throttle, new ValidationContext(throttle), results, validateAllProperties: true);
            foreach (var result in results) yield return new ValidationResult($"{Section}:{name}: {result.ErrorMessage}", result.MemberNames.Select(m => $"{name}.{m}"));
        }
    }
}

/// <summary>What a throttled request is: which throttle, and the two keys it is counted under.</summary>
public sealed record ThrottledRequest(string Name, Throttle Throttle, string Address, string? Account)
{
    public static readonly ThrottledRequest None = new("", Throttle.Of(1, 1, TimeSpan.FromSeconds(1)), "", null);
}

/// <summary>How each throttled endpoint names its account.</summary>
internal enum AccountSource
{
    /// <summary>The form's <c>Input.Email</c> (sign-in, sign-up, reset, resend).</summary>
    FormEmail,

    /// <summary>The half-signed-in user of the two-factor cookie.</summary>
    TwoFactorUser,

    /// <summary>The signed-in user (invitations).</summary>
    SignedInUser,

    /// <summary>No account (Alipay's notification).</summary>
    None,
}

/// <summary>
/// ASP.NET Core rate limiting (<c>AddRateLimiter</c>) on the endpoints people or bots can hammer: a chain of two
/// fixed-window limiters, one partitioned by throttle and client address, one by throttle and account (normalised
/// email, or user id), so a spray across many emails from one address and a slow attack on one email from many
/// addresses are both cut off. Refusals are 429 with <c>Retry-After</c> (a readable page for the browser forms,
/// ProblemDetails on the API). The sign-in forms are Blazor static-SSR pages, so the throttle is chosen by path and
/// method rather than by endpoint metadata. The invitation form on the interactive members page goes through
/// <see cref="PortalThrottles.TryAcquire"/> itself.
/// </summary>
public static class RateLimits
{
    private static readonly (PathString Path, Func<RateLimitOptions, Throttle> Throttle, AccountSource Account)[] Throttled =
    [
        ("/Account/Login", o => o.SignIn, AccountSource.FormEmail),
        ("/Account/LoginWith2fa", o => o.TwoFactor, AccountSource.TwoFactorUser),
        ("/Account/LoginWithRecoveryCode", o => o.TwoFactor, AccountSource.TwoFactorUser),
        ("/Account/Register", o => o.SignUp, AccountSource.FormEmail),
        ("/Account/ForgotPassword", o => o.PasswordReset, AccountSource.FormEmail),
        ("/Account/ResetPassword", o => o.PasswordReset, AccountSource.FormEmail),
        ("/Account/ResendEmailConfirmation", o => o.ConfirmationResend, AccountSource.FormEmail),
        ("/api/tenant/invitations", o => o.Invitations, AccountSource.SignedInUser),
        ("/payments/alipay/notify", o => o.PaymentNotify, AccountSource.None),
        ("/payments/wechatpay/notify", o => o.PaymentNotify, AccountSource.None),
    ];

    public static WebApplicationBuilder AddPortalRateLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PortalThrottles>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<PortalThrottles>((o, throttles) =>
        {
            o.GlobalLimiter = throttles.ForHttp;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => new ValueTask(RejectAsync(context.HttpContext, context.Lease));
        });
        return builder;
    }

    /// <summary>After authentication (the invitation throttle counts per signed-in user), before authorization.</summary>
    public static WebApplication UsePortalRateLimits(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value.Enabled) return app;
        app.Use(async (http, next) =>
        {
            if (await ClassifyAsync(http) is { } throttled) http.Features.Set(throttled);
            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    public static async Task RejectAsync(HttpContext http, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var l = Refusals.Localizer(http);
        await Refusals.WriteAsync(http, StatusCodes.Status429TooManyRequests, l["Too many attempts"],
            string.Format(System.Globalization.CultureInfo.CurrentCulture, l["Too many attempts from your address or for this account. Try again in {0} seconds."], seconds));
    }

    private static async Task<ThrottledRequest?> ClassifyAsync(HttpContext http)
    {
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method)) return null;
        var path = request.Path.Value is { Length: > 1 } p ? new PathString(p.TrimEnd('/')) : request.Path;
        foreach (var (throttledPath, select, source) in Throttled)
        {
            if (!path.Equals(throttledPath, StringComparison.OrdinalIgnoreCase)) continue;
            var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return new ThrottledRequest(throttledPath.Value!, select(options), address, await AccountAsync(http, source));
        }

        return null;
    }

    private static async Task<string?> AccountAsync(HttpContext http, AccountSource source)
    {
        switch (source)
        {
            case AccountSource.FormEmail when http.Request.HasFormContentType:
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                var email = form["Input.Email"].ToString().Trim();
                return email.Length == 0 ? null : "email:" + email.ToUpperInvariant();
            case AccountSource.TwoFactorUser:
                var twoFactor = await http.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
                return twoFactor.Principal?.FindFirstValue(ClaimTypes.Name) is { } userId ? "user:" + userId : null;
            case AccountSource.SignedInUser:
                return http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id ? "user:" + id : null;
            default:
                return null;
        }
    }
}

/// <summary>
/// The limiters behind <see cref="RateLimits"/>: one partition per throttle and address, one per throttle and
/// account, on the injected clock. Idle partitions are dropped by the framework.
/// </summary>
public sealed class PortalThrottles : IDisposable
{
    private readonly PartitionedRateLimiter<ThrottledRequest> _limiter;
    private readonly bool _enabled;

    public PortalThrottles(TimeProvider clock, IOptions<RateLimitOptions> options)
    {
        _enabled = options.Value.Enabled;
        var byAddress = PartitionedRateLimiter.Create<ThrottledRequest, string>(r => ReferenceEquals(r, ThrottledRequest.None)
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.Get(r.Name + "|address|" + r.Address, _ => new ClockWindowRateLimiter(clock, r.Throttle.PerAddress, r.Throttle.Window)));
        var byAccount = PartitionedRateLimiter.Create<ThrottledRequest, string>(r => r.Account is null
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.Get(r.Name + "|account|" + r.Account, _ => new ClockWindowRateLimiter(clock, r.Throttle.PerAccount, r.Throttle.Window)));
        _limiter = PartitionedRateLimiter.CreateChained(byAddress, byAccount);
        ForHttp = _limiter.WithTranslatedKey<HttpContext>(http => http.Features.Get<ThrottledRequest>() ?? ThrottledRequest.None, leaveOpen: true);
    }

    /// <summary>The global limiter of the HTTP pipeline: requests <see cref="RateLimits"/> did not classify pass.</summary>
    public PartitionedRateLimiter<HttpContext> ForHttp { get; }

    /// <summary>Counts one attempt outside HTTP (an interactive page); the caller disposes the lease.</summary>
    public RateLimitLease TryAcquire(ThrottledRequest request) => _limiter.AttemptAcquire(_enabled ? request : ThrottledRequest.None);

    public void Dispose()
    {
        ForHttp.Dispose();
        _limiter.Dispose();
    }
}
