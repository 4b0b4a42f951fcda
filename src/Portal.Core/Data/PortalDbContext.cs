using System.Reflection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.Alipay.Simulator;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Payments.WechatPay.Simulator;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.Core.Features.Payments.Refunds;
using Portal.Core.Features.Plans;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Data;

/// <summary>
/// The one model for both providers. Tenant-owned entities get the named <see cref="TenantFilter"/>;
/// each provider keeps its own migrations assembly.
/// </summary>
public class PortalDbContext(DbContextOptions<PortalDbContext> options, ITenantContext? tenantContext = null)
    : IdentityDbContext<PortalUser, PortalRole, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>The tenant whose rows queries see and saves may write. <see cref="Guid.Empty"/> matches nothing.</summary>
    public Guid CurrentTenantId => tenantContext?.TenantId ?? Guid.Empty;

    /// <summary>
    /// Operator code, jobs and sign-up only: saves may write rows of any tenant (each row must still name one).
    /// Reads still need <see cref="TenantFilter.IgnoreTenantFilter{T}"/> explicitly.
    /// </summary>
    public bool IsPlatformScope { get; private set; }

    /// <summary>Enter a platform scope until the returned handle is disposed (or for the context's life).</summary>
    public IDisposable EnterPlatformScope()
    {
        var previous = IsPlatformScope;
        IsPlatformScope = true;
        return new ScopeExit(() => IsPlatformScope = previous);
    }

    private sealed class ScopeExit(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<KycSubmission> KycSubmissions => Set<KycSubmission>();

    public DbSet<KycDocument> KycDocuments => Set<KycDocument>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<PlatformSecret> PlatformSecrets => Set<PlatformSecret>();

    public DbSet<PlatformSetting> PlatformSettings => Set<PlatformSetting>();

    public DbSet<Wallet> Wallets => Set<Wallet>();

    public DbSet<LedgerEntry> LedgerEntries => Set<LedgerEntry>();

    public DbSet<WalletInvariantAlert> WalletInvariantAlerts => Set<WalletInvariantAlert>();

    public DbSet<TopUpOrder> TopUpOrders => Set<TopUpOrder>();

    public DbSet<BankTransferOrder> BankTransferOrders => Set<BankTransferOrder>();

    public DbSet<BankStatementImport> BankStatementImports => Set<BankStatementImport>();

    public DbSet<BankStatementLine> BankStatementLines => Set<BankStatementLine>();

    public DbSet<RefundRequest> RefundRequests => Set<RefundRequest>();

    public DbSet<RefundAllocation> RefundAllocations => Set<RefundAllocation>();

    public DbSet<AlipayNotifyLog> AlipayNotifyLogs => Set<AlipayNotifyLog>();

    public DbSet<ReconciliationException> ReconciliationExceptions => Set<ReconciliationException>();

    public DbSet<SimulatorTrade> SimulatorTrades => Set<SimulatorTrade>();

    public DbSet<SimulatorRefund> SimulatorRefunds => Set<SimulatorRefund>();

    public DbSet<SimulatorKeySet> SimulatorKeySets => Set<SimulatorKeySet>();

    public DbSet<WechatPayNotifyLog> WechatPayNotifyLogs => Set<WechatPayNotifyLog>();

    public DbSet<WechatSimulatorTrade> WechatSimulatorTrades => Set<WechatSimulatorTrade>();

    public DbSet<WechatSimulatorRefund> WechatSimulatorRefunds => Set<WechatSimulatorRefund>();

    public DbSet<WalletLease> WalletLeases => Set<WalletLease>();

    public DbSet<AiModel> AiModels => Set<AiModel>();

    public DbSet<Channel> Channels => Set<Channel>();

    public DbSet<Features.DataProtection.DataPolicy> DataPolicies => Set<Features.DataProtection.DataPolicy>();

    public DbSet<ChannelModel> ChannelModels => Set<ChannelModel>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<ApiKeySpend> ApiKeySpends => Set<ApiKeySpend>();

    public DbSet<ApiKeyBudgetHold> ApiKeyBudgetHolds => Set<ApiKeyBudgetHold>();

    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();

    public DbSet<Plan> Plans => Set<Plan>();

    public DbSet<PlanSubscription> PlanSubscriptions => Set<PlanSubscription>();

    public DbSet<PlanPeriod> PlanPeriods => Set<PlanPeriod>();

    public DbSet<PlanCreditEvent> PlanCreditEvents => Set<PlanCreditEvent>();
    public DbSet<InvoiceProfile> InvoiceProfiles => Set<InvoiceProfile>();

    public DbSet<Invoice> Invoices => Set<Invoice>();

    public DbSet<InvoiceNumberCounter> InvoiceNumberCounters => Set<InvoiceNumberCounter>();

    public DbSet<MonthlyStatement> MonthlyStatements => Set<MonthlyStatement>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        if (Database.IsSqlite())
        {
            // NOTE: SQLite has no timestamp type; EF cannot order or compare DateTimeOffset stored as text.
            // UTC instants stored as a long keep ordering and range filters in SQL.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

        var applyFilter = typeof(PortalDbContext).GetMethod(nameof(ApplyTenantFilter), BindingFlags.Instance | BindingFlags.NonPublic)!;
        foreach (var entityType in builder.Model.GetEntityTypes().Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)).ToList())
        {
            applyFilter.MakeGenericMethod(entityType.ClrType).Invoke(this, [builder]);
        }

        // Audit entries are not ITenantOwned (many concern no tenant) but tenants may read their own.
        builder.Entity<AuditEntry>().HasQueryFilter(TenantFilter.Name, e => e.TenantId == CurrentTenantId);
    }

    private void ApplyTenantFilter<T>(ModelBuilder builder) where T : class, ITenantOwned =>
        builder.Entity<T>().HasQueryFilter(TenantFilter.Name, e => e.TenantId == CurrentTenantId);
}
