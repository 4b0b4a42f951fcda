using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Keeps <see cref="KycSubmission.IdNumber"/> out of the database: decrypts it when a submission is read, and before
/// every save encrypts it into <see cref="KycSubmission.IdNumberProtected"/> with its keyed hash (only when the number
/// changed, so an unchanged row is not rewritten). The plaintext <c>id_number</c> column is emptied on the way.
/// </summary>
internal sealed class ResidentIdEncryption : SaveChangesInterceptor, IMaterializationInterceptor
{
    /// <summary>
    /// One instance per process: EF builds its internal service provider per distinct set of singleton interceptors
    /// (a materialization interceptor is one), so an instance per host would make one per host. The host's own
    /// <see cref="ResidentIdSecrets"/> (its key ring) comes from the context's application services.
    /// </summary>
    public static readonly ResidentIdEncryption Instance = new();

    private ResidentIdEncryption()
    {
    }

    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        if (entity is KycSubmission { IdNumberProtected: { } protectedNumber } submission)
            submission.IdNumber = SecretsOf(materializationData.Context).Unprotect(protectedNumber);
        return entity;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context) await EncryptAsync(context, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context) EncryptAsync(context, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    private static ResidentIdSecrets SecretsOf(DbContext context) =>
        context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<ResidentIdSecrets>()
        ?? throw new InvalidOperationException("The context has no application services with ResidentIdSecrets (AddKyc).");

    private static async Task EncryptAsync(DbContext context, CancellationToken cancellationToken)
    {
        var entries = context.ChangeTracker.Entries<KycSubmission>().ToList();
        if (entries.Count == 0) return;
        var secrets = SecretsOf(context);
        foreach (var entry in entries)
        {
            if (entry.State is EntityState.Deleted or EntityState.Detached) continue;
            var submission = entry.Entity;
            var hash = submission.IdNumber is { } number ? await secrets.HashAsync(number, cancellationToken) : null;
            var current = hash == submission.IdNumberHash && (hash is null) == (submission.IdNumberProtected is null);
            if (current && submission.LegacyIdNumber is null) continue;
            if (!current)
            {
                entry.Property(s => s.IdNumberHash).CurrentValue = hash;
                entry.Property(s => s.IdNumberProtected).CurrentValue = submission.IdNumber is { } plain ? secrets.Protect(plain) : null;
            }

            entry.Property(s => s.LegacyIdNumber).CurrentValue = null;
        }
    }
}
