using Portal.Core.Localization;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Payments.Refunds;
using Portal.Core.Features.Support;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Usage.Alerts;

namespace Portal.Core.Features.DataRights;

/// <summary>
/// An Owner closes the account (注销账户) after signing in again (password, and the authenticator code when 2FA is on).
/// Refused while money is held or an invoice request is pending. Otherwise, in one transaction: every key is revoked,
/// the unused cash balance (whole fen) goes to the refund queue like any refund, members' personal data, verification
/// documents and ID numbers, key names, tickets and settings are deleted or anonymised, and the closure
/// record with its deletion certificate is stored. Financial records (ledger, usage charges, payments, refunds,
/// invoices, statements) and the append-only audit log are kept for the retention periods of <see cref="DataRightsOptions"/>. Audited.
/// </summary>
public static class CloseAccount
{
    public sealed record Command(string Password, string? TwoFactorCode);

    public sealed record Closed(Guid ClosureId, string VerificationCode, Guid? RefundId, Money Refund, Uri VerificationUrl);

    public static readonly Error AlreadyClosed = new("Closure.AlreadyClosed", "This account is already closed.");

    public static Error WrongPassword(string message) => Error.Validation(new Dictionary<string, string[]> { ["Password"] = [message] });

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        UserManager<PortalUser> users,
        ICurrentUser currentUser,
        AuditLog audit,
        IFileStore files,
        IRelayCache relayCache,
        InvoiceFont font,
        IOptions<InvoiceOptions> invoiceOptions,
        IOptionsMonitor<BrandingOptions> branding,
        IOptions<PortalOptions> portalOptions,
        IOptions<DataRightsOptions> options,
        TimeProvider clock)
    {
        /// <summary>What would stop a closure now (empty = it may go ahead); Owners only.</summary>
        public async Task<Result<IReadOnlyList<string>>> CheckAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner);
            if (!member.IsSuccess) return member.Error!;
            return Result<IReadOnlyList<string>>.Success(await ClosureBlockers.FindAsync(db, member.Value.TenantId, cancellationToken));
        }

        public async Task<Result<Closed>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner);
            if (!member.IsSuccess) return member.Error!;
            var tenantId = member.Value.TenantId;
            if (await ReauthenticateAsync(member.Value.UserId, command) is { } refused) return refused;

            var now = clock.GetUtcNow();
            var settings = options.Value;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: the wallet row lock first (as refunds, invoice requests and payouts take it), then the tenant row's
            // (as membership changes take it). Until commit no credit, hold, refund or invoice request of this tenant
            // can change the figures checked below, so "nothing held" stays true while the closure goes through.
            await InvoiceableBreakdown.LockAsync(db, tenantId, cancellationToken);
            await TenantAccess.LockMembershipsAsync(db, tenantId, cancellationToken);
            if (await db.Set<AccountClosure>().AnyAsync(c => c.TenantId == tenantId, cancellationToken)) return AlreadyClosed;
            var blockers = await ClosureBlockers.FindAsync(db, tenantId, cancellationToken);
            if (blockers.Count > 0) return ClosureBlockers.ErrorFor(blockers);

            var tenantName = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).FirstAsync(cancellationToken);
            var keyHashes = await RevokeKeysAsync(db, tenantId, now, cancellationToken);

            // The unused cash balance, in whole fen (what can be paid out), goes back through the refund queue.
            var refundable = await RefundableBalance.ComputeAsync(db, tenantId, cancellationToken);
            if (refundable.LimitedByInvoices) return RefundErrors.Invoiced(refundable.Refundable, refundable.Invoiced);
            var refundAmount = new Money(refundable.Refundable.MicroYuan - refundable.Refundable.MicroYuan % Money.MicroPerFen);
            RefundRequest? refund = null;
            if (refundAmount > Money.Zero)
            {
                var held = await RequestRefund.HoldAsync(db, tenantId, refundAmount, "账户注销 · Account closure", (member.Value.UserId, currentUser.Name), audit, clock, cancellationToken);
                if (!held.IsSuccess) return held.Error!;
                refund = held.Value;
            }

            audit.Add(db, "data.account_closed", nameof(Tenant), tenantId, LocalizedText.Encode("Account closed; {0} keys revoked; refund {1}", keyHashes.Count.ToString(CultureInfo.InvariantCulture), refundAmount.ToDisplay()), tenantId);
            await db.SaveChangesAsync(cancellationToken);
            var deletion = await PersonalDataDeletion.RunAsync(db, tenantId, now, cancellationToken);

            var code = VerificationCodes.New();
            var url = invoiceOptions.Value.PublicUrl(portalOptions.Value, ClosureVerifyPath + code);
            var certificate = new DeletionCertificate(tenantName, tenantId, now, now, deletion.Items, Retained(now, settings), refundAmount, refund?.RefundNo, url, branding.CurrentValue.PlatformName);
            var pdf = DeletionCertificatePdf.Render(certificate, font.Bytes);
            // NOTE: stored before commit so the row never points at a missing file; a rolled-back closure leaves an
            // unreferenced file behind, which holds only what the certificate says.
            var pdfKey = await InvoiceFiles.StoreAsync(files, pdf, ".pdf", cancellationToken);
            var closure = new AccountClosure
            {
                Id = Ids.New(),
                TenantId = tenantId,
                TenantName = tenantName,
                ClosedAt = now,
                ClosedByUserId = member.Value.UserId,
                RefundId = refund?.Id,
                RefundMicroYuan = refundAmount.MicroYuan,
                DeletedAt = now,
                DeletedSummary = string.Join('\n', deletion.Items.Select(i => $"{i.Code}={i.Count}")),
                AccountingRetainedUntil = now.AddYears(settings.AccountingRetentionYears),
                InvoicesRetainedUntil = now.AddYears(settings.InvoiceRetentionYears),
                StatementsRetainedUntil = now.AddYears(settings.StatementRetentionYears),
                VerificationCode = code,
                CertificateFileKey = pdfKey,
                CertificateSha256 = Convert.ToHexStringLower(SHA256.HashData(pdf)),
            };
            db.Add(closure);
            audit.Add(db, "data.personal_data_deleted", nameof(AccountClosure), closure.Id, LocalizedText.Encode("{0}", closure.DeletedSummary.Replace('\n', ' ')), tenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);

            foreach (var hash in keyHashes) relayCache.KeyChanged(hash);
            relayCache.TenantChanged(tenantId);
            foreach (var key in deletion.FileKeys) await files.DeleteAsync(key, CancellationToken.None);
            return new Closed(closure.Id, code, refund?.Id, refundAmount, url);
        }

        private async Task<Error?> ReauthenticateAsync(Guid userId, Command command)
        {
            var user = await users.FindByIdAsync(userId.ToString());
            if (user is null) return Error.Forbidden();
            if (await users.IsLockedOutAsync(user)) return WrongPassword("Too many wrong attempts. Try again later.");
            if (string.IsNullOrEmpty(command.Password) || !await users.CheckPasswordAsync(user, command.Password))
            {
                // Failed re-authentications count towards the sign-in lockout.
                await users.AccessFailedAsync(user);
                return WrongPassword("The password is not correct.");
            }

            if (user.TwoFactorEnabled)
            {
                var code = (command.TwoFactorCode ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
                if (code.Length == 0 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
                {
                    await users.AccessFailedAsync(user);
                    return Error.Validation(new Dictionary<string, string[]> { ["TwoFactorCode"] = ["Enter the current code from your authenticator app."] });
                }
            }

            await users.ResetAccessFailedCountAsync(user);
            return null;
        }

        private static async Task<List<string>> RevokeKeysAsync(PortalDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var hashes = await db.ApiKeys.IgnoreTenantFilter().Where(k => k.TenantId == tenantId).Select(k => k.SecretHash).ToListAsync(cancellationToken);
            await db.ApiKeys.IgnoreTenantFilter().Where(k => k.TenantId == tenantId && k.Status != ApiKeyStatus.Revoked)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.Status, ApiKeyStatus.Revoked).SetProperty(k => k.RevokedAt, now).SetProperty(k => k.UpdatedAt, now), cancellationToken);
            return hashes;
        }
    }

    /// <summary>The path of the public verification page; the code follows.</summary>
    public const string ClosureVerifyPath = "/closures/verify/";

    /// <summary>What the certificate lists as kept, why, and until when.</summary>
    public static IReadOnlyList<RetainedItem> Retained(DateTimeOffset closedAt, DataRightsOptions settings) =>
    [
        new("钱包流水、调用计费记录（含客户端 IP）、充值、对公转账、退款、套餐购买记录", $"《会计档案管理办法》会计凭证与会计账簿 {settings.AccountingRetentionYears} 年", closedAt.AddYears(settings.AccountingRetentionYears)),
        new("发票及开票记录", $"《发票管理办法》及会计原始凭证 {settings.InvoiceRetentionYears} 年", closedAt.AddYears(settings.InvoiceRetentionYears)),
        new("月度对账单", $"对账单 {settings.StatementRetentionYears} 年", closedAt.AddYears(settings.StatementRetentionYears)),
        new("企业名称与统一社会信用代码、操作日志", "作为上述记录的归属与审计依据，与会计档案同期", closedAt.AddYears(settings.AccountingRetentionYears)),
    ];
}
