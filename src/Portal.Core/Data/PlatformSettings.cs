using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Portal.Core.Common;

namespace Portal.Core.Data;

/// <summary>
/// A setting an operator changed on the settings page, stored under its configuration key (<c>BankTransfer:AccountName</c>).
/// It overrides the configured value of that key; configuration supplies every key that has no row.
/// </summary>
public sealed class PlatformSetting
{
    /// <summary>The configuration key it overrides, e.g. <c>Invoice:TaxRate</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>The value as configuration would spell it (invariant culture).</summary>
    public string Value { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public Guid? UpdatedByUserId { get; set; }
}

internal sealed class PlatformSettingConfiguration : IEntityTypeConfiguration<PlatformSetting>
{
    public void Configure(EntityTypeBuilder<PlatformSetting> b)
    {
        b.HasKey(s => s.Key);
        b.Property(s => s.Key).HasMaxLength(100);
        b.Property(s => s.Value).IsRequired();
    }
}

/// <summary>
/// The operator's overrides as this process last read them. Options that take part (<see cref="PlatformSettingsExtensions.OverlayPlatformSettings{TOptions}"/>)
/// are rebuilt from configuration plus these values whenever they change, so code that reads
/// <see cref="IOptionsMonitor{TOptions}.CurrentValue"/> sees a change without a restart: at once in the process that saved
/// it, within <see cref="PlatformSettingsRefresher.Interval"/> in the others.
/// </summary>
public sealed class PlatformSettingsStore(IServiceScopeFactory scopes)
{
    private volatile IReadOnlyDictionary<string, string> _values = new Dictionary<string, string>();
    private CancellationTokenSource _changed = new();
    private readonly Lock _gate = new();

    public IReadOnlyDictionary<string, string> Values => _values;

    public IChangeToken ChangeToken()
    {
        lock (_gate) return new CancellationChangeToken(_changed.Token);
    }

    /// <summary>Reads the overrides again; when they differ from the ones held, options built from them are rebuilt.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        // The context factory is scoped (its interceptors are); a singleton reaches it through a scope of its own.
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var rows = await db.PlatformSettings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var current = _values;
        if (rows.Count == current.Count && rows.All(r => current.TryGetValue(r.Key, out var v) && v == r.Value)) return;
        _values = rows;
        CancellationTokenSource fired;
        lock (_gate)
        {
            fired = _changed;
            _changed = new CancellationTokenSource();
        }
        await fired.CancelAsync();
        fired.Dispose();
    }

    /// <summary>The overrides of one options section, bound onto <paramref name="options"/>.</summary>
    internal void Apply<TOptions>(string section, TOptions options) where TOptions : class
    {
        var prefix = section + ":";
        var values = _values.Where(v => v.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
        if (values.Count == 0) return;
        new ConfigurationBuilder().AddInMemoryCollection(values!).Build().GetSection(section).Bind(options);
    }

    /// <summary>How a setting is stored: as configuration would spell it.</summary>
    public static string Format(object value) =>
        value is decimal d ? d.ToString("0.############################", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}

public static class PlatformSettingsExtensions
{
    /// <summary>Lets the settings page override <typeparamref name="TOptions"/> (bound from <paramref name="section"/>); read it through <see cref="IOptionsMonitor{TOptions}"/>.</summary>
    public static IServiceCollection OverlayPlatformSettings<TOptions>(this IServiceCollection services, string section) where TOptions : class
    {
        services.AddSingleton<IPostConfigureOptions<TOptions>>(sp => new Overlay<TOptions>(sp.GetRequiredService<PlatformSettingsStore>(), section));
        services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(sp => new ChangeSource<TOptions>(sp.GetRequiredService<PlatformSettingsStore>()));
        return services;
    }

    internal static IServiceCollection AddPlatformSettingsStore(this IServiceCollection services)
    {
        services.AddSingleton<PlatformSettingsStore>();
        services.AddScoped<IStartupTask, LoadPlatformSettings>();
        services.AddHostedService<PlatformSettingsRefresher>();
        return services;
    }

    private sealed class Overlay<TOptions>(PlatformSettingsStore store, string section) : IPostConfigureOptions<TOptions> where TOptions : class
    {
        public void PostConfigure(string? name, TOptions options)
        {
            if (name == Options.DefaultName) store.Apply(section, options);
        }
    }

    private sealed class ChangeSource<TOptions>(PlatformSettingsStore store) : IOptionsChangeTokenSource<TOptions>
    {
        public string? Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => store.ChangeToken();
    }
}

/// <summary>Start-up (after migrations): reads the operator's overrides before the portal serves.</summary>
internal sealed class LoadPlatformSettings(PlatformSettingsStore store) : IStartupTask
{
    public Task RunAsync(CancellationToken cancellationToken) => store.ReloadAsync(cancellationToken);
}

/// <summary>Picks up settings another replica saved: reads them again every <see cref="Interval"/>.</summary>
internal sealed class PlatformSettingsRefresher(PlatformSettingsStore store, TimeProvider clock, ILogger<PlatformSettingsRefresher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await store.ReloadAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not read the platform settings; keeping the ones read before.");
            }
        }
    }
}
