using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.Alipay.Simulator;

/// <summary>
/// Generates the simulator's identity (app id, seller PID, merchant and "Alipay" RSA-2048 key pairs) once and keeps
/// it in the database, so restarts and every replica use the same keys. Read synchronously because options
/// post-configuration is synchronous; it happens once per process.
/// </summary>
public sealed class SimulatorKeyStore(IServiceScopeFactory scopes, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private SimulatorKeySet? _keys;

    public SimulatorKeySet Get()
    {
        if (_keys is { } cached) return cached;
        lock (_gate)
        {
            return _keys ??= LoadOrCreate(scopes, clock, SimulatorKeySet.SingletonId, "2021" + Digits(12), "2088" + Digits(12));
        }
    }

    /// <summary>
    /// The key set under <paramref name="id"/> (1: the Alipay simulator, 2: the WeChat Pay simulator), created with two
    /// fresh RSA-2048 pairs when missing.
    /// </summary>
    internal static SimulatorKeySet LoadOrCreate(IServiceScopeFactory scopes, TimeProvider clock, int id, string appId, string sellerId)
    {
        using var scope = scopes.CreateScope();
        using var db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var existing = db.SimulatorKeySets.AsNoTracking().FirstOrDefault(k => k.Id == id);
        if (existing is not null) return existing;

        using var merchant = RSA.Create(2048);
        using var alipay = RSA.Create(2048);
        var created = new SimulatorKeySet
        {
            Id = id,
            AppId = appId,
            SellerId = sellerId,
            // The shapes Alipay's key tool hands out: PKCS#8 private key, SubjectPublicKeyInfo public key, bare base64.
            MerchantPrivateKey = Convert.ToBase64String(merchant.ExportPkcs8PrivateKey()),
            MerchantPublicKey = Convert.ToBase64String(merchant.ExportSubjectPublicKeyInfo()),
            AlipayPrivateKey = Convert.ToBase64String(alipay.ExportPkcs8PrivateKey()),
            AlipayPublicKey = Convert.ToBase64String(alipay.ExportSubjectPublicKeyInfo()),
            CreatedAt = clock.GetUtcNow(),
        };
        db.SimulatorKeySets.Add(created);
        try
        {
            db.SaveChanges();
            return created;
        }
        catch (DbUpdateException)
        {
            // NOTE: the fixed primary key lets one of several starting replicas create the keys; the others read them.
            db.ChangeTracker.Clear();
            return db.SimulatorKeySets.AsNoTracking().First(k => k.Id == id);
        }
    }

    internal static string Digits(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}

/// <summary>In Simulator mode the Alipay client is pointed at the built-in simulator with its generated keys.</summary>
internal sealed class SimulatorAlipayConfiguration(SimulatorKeyStore store, IOptions<PortalOptions> portal) : IPostConfigureOptions<AlipayOptions>
{
    public void PostConfigure(string? name, AlipayOptions options)
    {
        if (options.Mode != AlipayMode.Simulator) return;
        var keys = store.Get();
        options.AppId = keys.AppId;
        options.SellerId = keys.SellerId;
        options.PrivateKey = keys.MerchantPrivateKey;
        options.AlipayPublicKey = keys.AlipayPublicKey;
        if (string.IsNullOrWhiteSpace(options.Gateway)) options.Gateway = portal.Value.Link(AlipaySimulator.GatewayPath);
    }
}
