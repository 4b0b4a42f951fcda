using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Kyc;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// Verifies a tenant the way people do, through the KYC use cases: its Owner uploads a licence and submits an
/// enterprise verification, then the operator approves it. Shared by the integration, browser and benchmark harnesses.
/// </summary>
public static class KycApproval
{
    public static async Task ApproveAsync(IServiceProvider services, string ownerEmail, string operatorEmail, string company)
    {
        Guid submissionId;
        await using (var scope = services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var owner = await db.Users.SingleAsync(u => u.Email == ownerEmail);
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(owner.Id, ownerEmail, owner.CurrentTenantId));
            var code = UnifiedSocialCreditCode.Generate(Random.Shared);
            var licence = await scope.ServiceProvider.GetRequiredService<UploadKycDocument.Handler>()
                .HandleAsync(new UploadKycDocument.Command(KycDocumentKind.BusinessLicence, "licence.png", new MemoryStream(LicenceImage.GeneratePng(company, code))));
            if (!licence.IsSuccess) throw new InvalidOperationException(licence.Error.Message);
            var form = new KycForm(KycType.Enterprise, company, code, "王五", "上海市浦东新区世纪大道100号", "王五", "13912345678", true, licence.Value.DocumentId);
            var submitted = await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>().HandleAsync(new SubmitKyc.Command(form));
            if (!submitted.IsSuccess) throw new InvalidOperationException(submitted.Error.Message);
            submissionId = submitted.Value.SubmissionId;
        }

        await using (var scope = services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var admin = await db.Users.SingleAsync(u => u.Email == operatorEmail);
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, operatorEmail, null, OperatorRoles.PlatformAdmin));
            var approved = await scope.ServiceProvider.GetRequiredService<ApproveKyc.Handler>().HandleAsync(new ApproveKyc.Command(submissionId));
            if (!approved.IsSuccess) throw new InvalidOperationException(approved.Error.Message);
        }
    }
}
