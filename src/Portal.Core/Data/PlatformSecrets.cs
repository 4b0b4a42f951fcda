using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Data;

/// <summary>Reads (and on first use generates) <see cref="PlatformSecret"/>s; each is cached for the process's life.</summary>
public sealed class PlatformSecrets(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    /// <summary>The secret named <paramref name="name"/>: <paramref name="length"/> random bytes generated on first use.</summary>
    public async Task<byte[]> GetOrCreateAsync(string name, int length, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(name, out var cached)) return cached;
        var protector = protection.CreateProtector("Portal.PlatformSecret." + name);
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var stored = await db.PlatformSecrets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (stored is null)
        {
            db.Add(new PlatformSecret { Name = name, ProtectedValue = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(length))), CreatedAt = clock.GetUtcNow() });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: another replica generated it at the same moment; the primary key keeps one, and everyone uses that one.
            }

            db.ChangeTracker.Clear();
            stored = await db.PlatformSecrets.AsNoTracking().SingleAsync(s => s.Name == name, cancellationToken);
        }

        return _cache.GetOrAdd(name, Convert.FromBase64String(protector.Unprotect(stored.ProtectedValue)));
    }
}
