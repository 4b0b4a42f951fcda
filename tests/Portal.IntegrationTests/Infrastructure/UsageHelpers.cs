using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Usage;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// Usage without the relay: writes batches exactly as the relay's settlement writer does (one transaction: the
/// records, the wallet's balance and plan credit, every <see cref="IUsageBatchObserver"/>, SaveChanges, commit), so the
/// roll-ups, the alerts and the ledger invariant see what production sees. Tests take the writer as a delegate
/// (<see cref="UsageWriter"/>) so a relay-driven writer can replace it.
/// </summary>
public static class UsageHelpers
{
    public delegate Task UsageWriter(IReadOnlyList<UsageRecord> batch);

    public static UsageWriter Writer(this PortalFactory factory) => batch => factory.RecordUsageAsync(batch);

    public static async Task RecordUsageAsync(this PortalFactory factory, IReadOnlyList<UsageRecord> batch)
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        using var platform = db.EnterPlatformScope();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.UsageRecords.AddRange(batch);
        foreach (var tenant in batch.GroupBy(r => r.TenantId).OrderBy(g => g.Key))
        {
            var charged = tenant.Sum(r => r.WalletChargedMicroYuan);
            var plan = tenant.Sum(r => r.PlanCreditUsedMicroYuan);
            var updated = await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenant.Key).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.BalanceMicroYuan, w => w.BalanceMicroYuan - charged)
                .SetProperty(w => w.PlanCreditMicroYuan, w => w.PlanCreditMicroYuan - plan));
            Assert.Equal(1, updated);
        }

        foreach (var observer in scope.ServiceProvider.GetServices<IUsageBatchObserver>())
        {
            await observer.OnBatchAsync(db, batch, CancellationToken.None);
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    /// <summary>An API key as the keys feature would store it (the secret itself is irrelevant here).</summary>
    public static async Task<Guid> SeedApiKeyAsync(this PortalFactory factory, Guid tenantId, string name, Money? monthlyBudget = null)
    {
        await using var db = await factory.DbAsync();
        var now = factory.Clock.GetUtcNow();
        var key = new ApiKey
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Name = name,
            Prefix = "sk-cn-" + Guid.NewGuid().ToString("N")[..4],
            SecretHash = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            Status = ApiKeyStatus.Active,
            MonthlyBudgetMicroYuan = monthlyBudget?.MicroYuan,
            CreatedByUserId = Guid.NewGuid(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return key.Id;
    }

    /// <summary>Plan credit as the plans feature would grant it (not part of the ledger invariant).</summary>
    public static async Task GrantPlanCreditAsync(this PortalFactory factory, Guid tenantId, Money amount)
    {
        await using var db = await factory.DbAsync();
        await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).ExecuteUpdateAsync(s => s
            .SetProperty(w => w.PlanCreditMicroYuan, w => w.PlanCreditMicroYuan + amount.MicroYuan)
            .SetProperty(w => w.PlanCreditExpiresAt, factory.Clock.GetUtcNow().AddDays(400)));
    }

    public static UsageRecord Record(Guid tenantId, Guid apiKeyId, DateTimeOffset at, string model = "gpt-4o", long input = 1000, long output = 500,
        long cost = 12_345, long planCredit = 0, UsageStatus status = UsageStatus.Succeeded, bool stream = false, Guid? channelId = null, int latencyMs = 800, int? ttftMs = 200)
    {
        planCredit = Math.Min(planCredit, cost);
        return new UsageRecord
        {
            Id = Ids.New(),
            TenantId = tenantId,
            ApiKeyId = apiKeyId,
            RequestId = "req_" + Guid.NewGuid().ToString("N"),
            At = at.ToUniversalTime(),
            Endpoint = UsageEndpoint.ChatCompletions,
            Model = model,
            ChannelId = channelId,
            InputTokens = status == UsageStatus.Failed ? 0 : input,
            CachedInputTokens = status == UsageStatus.Failed ? 0 : input / 4,
            OutputTokens = status == UsageStatus.Failed ? 0 : output,
            InputPricePerMillionMicroYuan = 5_000_000,
            OutputPricePerMillionMicroYuan = 15_000_000,
            CachedInputPricePerMillionMicroYuan = 2_500_000,
            CostMicroYuan = status == UsageStatus.Failed ? 0 : cost,
            PlanCreditUsedMicroYuan = status == UsageStatus.Failed ? 0 : planCredit,
            WalletChargedMicroYuan = status == UsageStatus.Failed ? 0 : cost - planCredit,
            HoldMicroYuan = cost,
            Status = status,
            HttpStatus = status == UsageStatus.Failed ? 502 : 200,
            ErrorCode = status == UsageStatus.Failed ? "upstream_error" : null,
            Stream = stream,
            LatencyMs = latencyMs,
            TimeToFirstTokenMs = stream ? ttftMs : null,
            ClientIp = "203.0.113.7",
        };
    }
}
