using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Kyc;

/// <summary>身份证 numbers are stored encrypted, compared by a keyed hash, masked for tenants and shown in full to the reviewing operator.</summary>
public abstract class IdNumberEncryptionTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private static int _sequence = Random.Shared.Next(100, 900);

    [Fact]
    public async Task The_number_is_encrypted_at_rest_unique_among_approved_tenants_masked_for_tenants_and_in_full_for_the_operator()
    {
        var number = NewIdNumber();
        var (first, firstSubmission) = await SubmittedIndividualAsync(number);
        var (_, secondSubmission) = await SubmittedIndividualAsync(number);

        // Nothing in the row gives the number away.
        var stored = await ColumnsAsync(firstSubmission);
        Assert.Null(stored.Legacy);
        Assert.NotNull(stored.Protected);
        Assert.DoesNotContain(number, stored.Protected);
        Assert.DoesNotContain(number[6..14], stored.Protected);
        Assert.Matches("^[0-9a-f]{64}$", stored.Hash!);
        Assert.Equal(stored.Hash, (await ColumnsAsync(secondSubmission)).Hash);

        // Uniqueness by the keyed hash: the first approval stands, the second is refused by the unique index, and a
        // third tenant is refused at submission.
        Assert.True((await KycArrange.ApproveAsync(factory, firstSubmission)).IsSuccess);
        Assert.Equal(KycErrors.IdNumberTaken.Code, (await KycArrange.ApproveAsync(factory, secondSubmission)).Error?.Code);
        var third = await PortalClient.SignUpAsync(factory, "第三人", email: null);
        var (scope, _) = await KycArrange.AsUserAsync(factory, third.Email);
        await using (scope)
        {
            var refused = await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>().HandleAsync(new SubmitKyc.Command(await IndividualFormAsync(scope.ServiceProvider, number)));
            Assert.Equal(KycErrors.IdNumberTaken.Code, refused.Error?.Code);
        }

        // The reviewing operator sees the number in full (and the conflict); the tenant's own page shows it masked.
        await using (var op = await KycArrange.AsOperatorAsync(factory))
        {
            var review = await op.ServiceProvider.GetRequiredService<KycQueries>().GetForOperatorAsync(secondSubmission);
            Assert.Equal(number, review!.Current.Submission.IdNumber);
            Assert.Equal(firstSubmission, review.Conflict?.SubmissionId);
        }

        var page = await first.Http.GetStringAsync("/verification");
        Assert.DoesNotContain(number, page);
        Assert.Contains(number[..6] + "********" + number[14..], page);
    }

    [Fact]
    public async Task Numbers_stored_in_clear_by_an_older_version_are_encrypted_at_start_up()
    {
        var (_, submission) = await SubmittedIndividualAsync(NewIdNumber());
        var legacy = NewIdNumber();
        await using (var scope = factory.Scope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await db.KycSubmissions.IgnoreTenantFilter().Where(s => s.Id == submission).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.LegacyIdNumber, legacy)
                .SetProperty(s => s.IdNumberProtected, (string?)null)
                .SetProperty(s => s.IdNumberHash, (string?)null));
        }

        await using (var scope = factory.Scope())
        {
            await scope.ServiceProvider.GetServices<IStartupTask>().OfType<EncryptLegacyIdNumbers>().Single().RunAsync(CancellationToken.None);
        }

        var stored = await ColumnsAsync(submission);
        Assert.Null(stored.Legacy);
        Assert.DoesNotContain(legacy, stored.Protected);
        Assert.Matches("^[0-9a-f]{64}$", stored.Hash!);
        await using (var scope = factory.Scope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(legacy, (await db.KycSubmissions.IgnoreTenantFilter().SingleAsync(s => s.Id == submission)).IdNumber);
        }
    }

    private static string NewIdNumber()
    {
        var first17 = "110105" + "19900101" + Interlocked.Increment(ref _sequence).ToString("000", System.Globalization.CultureInfo.InvariantCulture)[^3..];
        return first17 + ResidentIdNumber.ComputeCheckCharacter(first17);
    }

    private async Task<(PortalClient Client, Guid SubmissionId)> SubmittedIndividualAsync(string number)
    {
        var client = await PortalClient.SignUpAsync(factory, "个人认证");
        var (scope, _) = await KycArrange.AsUserAsync(factory, client.Email);
        await using (scope)
        {
            var submitted = await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>().HandleAsync(new SubmitKyc.Command(await IndividualFormAsync(scope.ServiceProvider, number)));
            Assert.True(submitted.IsSuccess, submitted.Error?.Message);
            return (client, submitted.Value!.SubmissionId);
        }
    }

    private static async Task<KycForm> IndividualFormAsync(IServiceProvider services, string number)
    {
        var front = await KycArrange.UploadAsync(services, KycDocumentKind.IdCardFront, KycArrange.Png(), "front.png");
        var back = await KycArrange.UploadAsync(services, KycDocumentKind.IdCardBack, KycArrange.Png(), "back.png");
        Assert.True(front.IsSuccess && back.IsSuccess);
        return new KycForm(KycType.Individual, RealName: "张三", IdNumber: number, IdFrontDocumentId: front.Value!.DocumentId, IdBackDocumentId: back.Value!.DocumentId);
    }

    private async Task<(string? Legacy, string? Protected, string? Hash)> ColumnsAsync(Guid submissionId)
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var row = await db.KycSubmissions.IgnoreTenantFilter().Where(s => s.Id == submissionId)
            .Select(s => new { s.LegacyIdNumber, s.IdNumberProtected, s.IdNumberHash }).SingleAsync();
        return (row.LegacyIdNumber, row.IdNumberProtected, row.IdNumberHash);
    }
}

public sealed class IdNumberEncryptionTestsOnPostgres(PostgresPortalFactory factory) : IdNumberEncryptionTests<PostgresPortalFactory>(factory);

public sealed class IdNumberEncryptionTestsOnSqlite(SqlitePortalFactory factory) : IdNumberEncryptionTests<SqlitePortalFactory>(factory);
