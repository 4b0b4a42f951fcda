using Hangfire;
using Portal.Core.Common;
using Portal.Core.Features.DataRights;
using Portal.Core.Features.Discounts;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.Core.Features.Payments.Refunds;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Plans;
using Portal.Core.Features.Sla;
using Portal.Core.Features.Support;
using Portal.Core.Features.Usage.Alerts;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Common.Jobs;

/// <summary>
/// The one place recurring jobs are registered. Jobs take ids, never entities, and are safe to run twice.
/// Times are in Asia/Shanghai.
/// </summary>
public static class RecurringJobRegistry
{
    public static void Register(IRecurringJobManager jobs)
    {
        var options = new RecurringJobOptions { TimeZone = ChinaTime.Zone };
        jobs.AddOrUpdate<SendOutboxJob>("outbox-send", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
        jobs.AddOrUpdate<PendingTopUpsJob>("payments-pending-top-ups", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
        jobs.AddOrUpdate<AlipayBillReconciliationJob>("payments-alipay-bill", j => j.RunAsync(CancellationToken.None), Cron.Daily(10), options);
        jobs.AddOrUpdate<WechatPayBillReconciliationJob>("payments-wechatpay-bill", j => j.RunAsync(CancellationToken.None), Cron.Daily(10, 30), options);
        jobs.AddOrUpdate<ExpireBankTransfersJob>("payments-bank-transfers-expire", j => j.RunAsync(CancellationToken.None), Cron.Hourly(), options);
        jobs.AddOrUpdate<RefundPayoutJob>("payments-refund-payouts", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
        jobs.AddOrUpdate<PlanRenewalJob>("plans-renewal", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
        jobs.AddOrUpdate<PlanReminderJob>("plans-reminders", j => j.RunAsync(CancellationToken.None), Cron.Daily(9), options);
        jobs.AddOrUpdate<UsageAlertsJob>("usage-alerts", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
        jobs.AddOrUpdate<DeliverWebhooksJob>("usage-webhooks", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
        jobs.AddOrUpdate<LedgerInvariantJob>("wallet-ledger-invariant", j => j.RunAsync(CancellationToken.None), Cron.Daily(3), options);
        jobs.AddOrUpdate<ReleaseExpiredLeasesJob>("wallet-release-expired-leases", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
        jobs.AddOrUpdate<CloseResolvedTicketsJob>("support-close-resolved", j => j.RunAsync(CancellationToken.None), Cron.Hourly(), options);
        jobs.AddOrUpdate<ExpireDataExportsJob>("data-exports-expire", j => j.RunAsync(CancellationToken.None), Cron.Hourly(), options);
        jobs.AddOrUpdate<MonthlyStatementsJob>("invoices-monthly-statements", j => j.RunAsync(CancellationToken.None), Cron.Monthly(1, 1), options);
        // Rebates before the statements of the 1st (00:30); SLA credits on the 2nd, after a day for late settlements and holds.
        jobs.AddOrUpdate<VolumeRebateJob>("discounts-monthly-rebates", j => j.RunAsync(CancellationToken.None), "30 0 1 * *", options);
        jobs.AddOrUpdate<SlaCreditJob>("sla-monthly-credits", j => j.RunAsync(CancellationToken.None), Cron.Monthly(2, 2), options);
    }
}
