using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.Relay.Access;
using Portal.Relay.Admission;

namespace Portal.Relay.Settlement;

/// <summary>
/// Writes finished requests to the database in batches (DESIGN §6): a bounded in-process queue, drained every
/// <see cref="RelayOptions.FlushInterval"/> into one transaction per batch — usage records (idempotent by their unique
/// request id), per wallet under its row lock plan credit first then balance, Reserved and the lease shrunk by what was
/// consumed, key spend, keys' last use, and every <see cref="IUsageBatchObserver"/> — then on shutdown the rest.
/// The same loop renews this replica's leases, releases idle ones and prunes the rate limiter.
/// </summary>
/// <remarks>
/// A hard crash loses at most what is in the queue (one flush interval): those requests are never charged, while
/// their money stays reserved in the lease until the lease expires and the release job frees it. Nothing is ever
/// charged twice: a batch whose commit outcome is unknown is retried, and records already present are skipped.
/// </remarks>
internal sealed class SettlementWriter(
    IServiceScopeFactory scopes,
    WalletLeases leases,
    KeyBudgets budgets,
    RateLimiter rateLimiter,
    IOptions<RelayOptions> options,
    TimeProvider clock,
    ILogger<SettlementWriter> logger) : IHostedService, IAsyncDisposable
{
    private readonly Channel<SettlementItem> _queue = Channel.CreateBounded<SettlementItem>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly RelayOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private volatile bool _disposed;
    private Task? _loop;
    private long _queued;
    private long _written;

    /// <summary>Hands a finished request to the writer. Waits only when 100,000 are already queued (the database is down).</summary>
    public ValueTask EnqueueAsync(SettlementItem item)
    {
        Interlocked.Increment(ref _queued);
        return _queue.Writer.TryWrite(item) ? ValueTask.CompletedTask : _queue.Writer.WriteAsync(item);
    }

    /// <summary>Waits until everything queued so far is written (tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _queued);
        while (Interlocked.Read(ref _written) < target)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host torn down out of order (its container disposed first) has nothing left to write with.
        if (_disposed) return;
        // Requests still being answered settle into the queue; give them the host's shutdown time, then write the rest.
        try
        {
            while (leases.Accounts.Any(a => a.InFlight > 0) && !cancellationToken.IsCancellationRequested)
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        if (!_stopping.IsCancellationRequested) await _stopping.CancelAsync();
        if (_loop is not null) await _loop;
        await DrainAsync(CancellationToken.None);
        try
        {
            await leases.ReleaseIdleAsync(all: true, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Releasing leases at shutdown failed; the release job frees them after they expire.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // NOTE: the token source and the lock are not disposed: StopAsync may still run after this (a host stopped
        // after its container was disposed), and neither holds an unmanaged resource once cancelled and released.
        _disposed = true;
        if (!_stopping.IsCancellationRequested) await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "The settlement loop ended with an error during disposal.");
            }
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var maintenanceEvery = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, _options.LeaseTtl.Ticks / 4));
        var nextMaintenance = TimeProvider.System.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                wake.CancelAfter(TimeSpan.FromSeconds(1));
                try
                {
                    await _queue.Reader.WaitToReadAsync(wake.Token);
                    // Let a batch gather: everything that settles within the flush interval goes into one transaction.
                    await Task.Delay(_options.FlushInterval, TimeProvider.System, stopping);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                }

                await DrainAsync(stopping);
                if (TimeProvider.System.GetElapsedTime(nextMaintenance) >= TimeSpan.Zero)
                {
                    nextMaintenance = TimeProvider.System.GetTimestamp() + (long)(maintenanceEvery.TotalSeconds * TimeProvider.System.TimestampFrequency);
                    await leases.RenewAsync(stopping);
                    await budgets.RenewAsync(stopping);
                    await leases.ReleaseIdleAsync(all: false, stopping);
                    rateLimiter.Prune(); // forget keys whose rate bucket is full again
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "The settlement loop failed; retrying in one second.");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        await _flushLock.WaitAsync(CancellationToken.None);
        try
        {
            var batch = new List<SettlementItem>(_options.MaxBatchSize);
            while (true)
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var item)) batch.Add(item);
                if (batch.Count == 0) return;
                await WriteWithRetryAsync(batch, cancellationToken);
                Interlocked.Add(ref _written, batch.Count);
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    private async Task WriteWithRetryAsync(List<SettlementItem> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcome = await WriteBatchAsync(batch);
                foreach (var item in batch) leases.Settled(item.Account, item.LeasePart, outcome.MissingLeases.Contains(item.Account.TenantId));
                return;
            }
            catch (Exception e)
            {
                if (attempt >= 3 && batch.Count > 1)
                {
                    // A batch that keeps failing: write its records one by one so one bad record cannot block the rest.
                    logger.LogError(e, "A settlement batch of {Count} failed {Attempts} times; writing its records one by one.", batch.Count, attempt);
                    foreach (var single in batch.ToList()) await WriteWithRetryAsync([single], cancellationToken);
                    return;
                }

                if (attempt >= 20)
                {
                    // NOTE: a record the database refuses twenty times is dropped: the customer is under-charged (never
                    // over-charged) and the error is logged with the request id for an operator to look at.
                    var item = batch[0];
                    logger.LogCritical(e, "Request {RequestId} of tenant {TenantId} could not be settled and was dropped (cost {Cost} micro-yuan).",
                        item.Record.RequestId, item.Record.TenantId, item.Cost);
                    leases.Settled(item.Account, item.LeasePart, leaseRowMissing: false);
                    return;
                }

                logger.LogWarning(e, "Writing a settlement batch failed (attempt {Attempt}); retrying.", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 50 * (1 << Math.Min(attempt, 7)))), TimeProvider.System, CancellationToken.None);
            }
        }
    }

    private sealed record BatchOutcome(HashSet<Guid> MissingLeases);

    private async Task<BatchOutcome> WriteBatchAsync(List<SettlementItem> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        using var platform = db.EnterPlatformScope();
        var replica = _options.EffectiveReplicaId;
        var now = clock.GetUtcNow();

        // Key spend rows must exist before the transaction (creating one may lose a harmless race, which would abort a PostgreSQL transaction).
        var spendKeys = batch.Select(i => (i.Record.ApiKeyId, i.Month, i.Record.TenantId)).Distinct().ToList();
        foreach (var (keyId, month, tenantId) in spendKeys)
        {
            if (!await db.ApiKeySpends.IgnoreTenantFilter().AnyAsync(s => s.ApiKeyId == keyId && s.Month == month))
                await KeyBudgets.EnsureRowAsync(db, keyId, tenantId, month);
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var requestIds = batch.Select(i => i.Record.RequestId).ToList();
        var done = (await db.UsageRecords.IgnoreTenantFilter().Where(u => requestIds.Contains(u.RequestId)).Select(u => u.RequestId).ToListAsync()).ToHashSet(StringComparer.Ordinal);
        var fresh = batch.Where(i => !done.Contains(i.Record.RequestId)).ToList();
        var missingLeases = new HashSet<Guid>();

        // Wallets in id order, locked for the rest of the transaction: the lock orders this batch against ledger postings,
        // lease extensions and other replicas' batches, so the plan/wallet split below reads the values it then writes.
        var walletIds = fresh.Where(i => i.Account.WalletId is not null && (i.Record.CostMicroYuan > 0 || i.LeasePart > 0))
            .Select(i => i.Account.WalletId!.Value).Distinct().Order().ToList();
        var wallets = await LockWalletsAsync(db, walletIds);
        var leaseRows = await db.WalletLeases.Where(l => walletIds.Contains(l.WalletId) && l.ReplicaId == replica).ToDictionaryAsync(l => l.WalletId);

        foreach (var item in fresh)
        {
            var record = item.Record;
            record.CostMicroYuan = item.Cost;
            record.Overdraft = item.Overdraft;
            if (item.Account.WalletId is not { } walletId || !wallets.TryGetValue(walletId, out var wallet))
            {
                record.PlanCreditUsedMicroYuan = 0;
                record.WalletChargedMicroYuan = record.CostMicroYuan;
                if (record.CostMicroYuan > 0) throw new InvalidOperationException($"Request {record.RequestId} has a cost but its tenant has no wallet.");
                continue;
            }

            // The consumed part of the lease leaves Reserved and the lease row; a lease someone else released gives nothing back.
            if (item.LeasePart > 0)
            {
                if (leaseRows.TryGetValue(walletId, out var lease))
                {
                    var fromLease = Math.Min(item.LeasePart, lease.AmountMicroYuan);
                    lease.AmountMicroYuan -= fromLease;
                    wallet.ReservedMicroYuan = Math.Max(0, wallet.ReservedMicroYuan - fromLease);
                    if (fromLease < item.LeasePart) missingLeases.Add(item.Account.TenantId);
                }
                else
                {
                    missingLeases.Add(item.Account.TenantId);
                }
            }

            var plan = wallet.DrawPlanCredit(new Money(record.CostMicroYuan), now).MicroYuan;
            var fromWallet = record.CostMicroYuan - plan;
            var floor = -wallet.CreditLimitMicroYuan;
            if (wallet.BalanceMicroYuan - fromWallet < floor)
            {
                // NOTE: the database refuses balance + credit_limit < 0. Only an overdraft (a response that outgrew its hold
                // with no max_tokens, beyond what a further lease could cover) or plan credit that expired while a request
                // admitted before its expiry was in flight can get here (admission stops using such a lease at the expiry); the part below the floor is written off rather than failing the whole batch, and the record
                // says so (Overdraft, cost = what was charged).
                var chargeable = Math.Max(0, wallet.BalanceMicroYuan - floor);
                logger.LogWarning("Request {RequestId} of tenant {TenantId}: {WrittenOff} micro-yuan written off at the wallet's floor.",
                    record.RequestId, record.TenantId, fromWallet - chargeable);
                fromWallet = chargeable;
                record.CostMicroYuan = plan + fromWallet;
                record.Overdraft = true;
            }

            wallet.BalanceMicroYuan -= fromWallet;
            record.PlanCreditUsedMicroYuan = plan;
            record.WalletChargedMicroYuan = fromWallet;
            wallet.UpdatedAt = now;
        }

        foreach (var lease in leaseRows.Values.Where(l => l.AmountMicroYuan == 0)) db.WalletLeases.Remove(lease);
        var isPostgres = IsPostgres(db);
        if (!isPostgres) db.UsageRecords.AddRange(fresh.Select(i => i.Record));

        foreach (var group in fresh.GroupBy(i => (i.Record.ApiKeyId, i.Month)))
        {
            var (keyId, month) = group.Key;
            var spent = group.Sum(i => i.Record.CostMicroYuan);
            var held = group.Sum(i => i.KeyBudgetHold);
            var count = group.LongCount();
            await db.ApiKeySpends.IgnoreTenantFilter().Where(s => s.ApiKeyId == keyId && s.Month == month)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.SpentMicroYuan, s => s.SpentMicroYuan + spent)
                    .SetProperty(s => s.ReservedMicroYuan, s => s.ReservedMicroYuan - held >= 0 ? s.ReservedMicroYuan - held : 0)
                    .SetProperty(s => s.Requests, s => s.Requests + count));
            if (held > 0) await KeyBudgets.SettleHoldsAsync(db, keyId, month, replica, held);
        }

        foreach (var group in fresh.GroupBy(i => i.Record.ApiKeyId))
        {
            var keyId = group.Key;
            var lastUsed = group.Max(i => i.Record.At);
            await db.ApiKeys.IgnoreTenantFilter().Where(k => k.Id == keyId && (k.LastUsedAt == null || k.LastUsedAt < lastUsed))
                .ExecuteUpdateAsync(u => u.SetProperty(k => k.LastUsedAt, lastUsed));
        }

        var records = fresh.Select(i => i.Record).ToList();
        foreach (var observer in scope.ServiceProvider.GetServices<IUsageBatchObserver>())
            await observer.OnBatchAsync(db, records, CancellationToken.None);

        // PostgreSQL: the usage rows go in by binary COPY inside the same transaction (the batch's main cost with EF's
        // change tracking); SQLite: through EF. The wallets, leases and observers' changes are saved by EF either way.
        if (isPostgres) await CopyUsageRecordsAsync(db, records);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new BatchOutcome(missingLeases);
    }

    private static bool IsPostgres(PortalDbContext db) => db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;

    private static async Task CopyUsageRecordsAsync(PortalDbContext db, List<UsageRecord> records)
    {
        if (records.Count == 0) return;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY usage_records (id, tenant_id, api_key_id, request_id, at, endpoint, model, channel_id, input_tokens, cached_input_tokens, output_tokens, "
            + "input_price_per_million_micro_yuan, output_price_per_million_micro_yuan, cached_input_price_per_million_micro_yuan, cost_micro_yuan, "
            + "plan_credit_used_micro_yuan, wallet_charged_micro_yuan, hold_micro_yuan, status, http_status, error_code, stream, estimated, overdraft, "
            + "latency_ms, time_to_first_token_ms, client_ip, channel_type, cache_write_input_tokens, cache_write_price_per_million_micro_yuan, channel_region, pii_findings) FROM STDIN (FORMAT BINARY)");
        foreach (var r in records)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(r.Id, NpgsqlDbType.Uuid);
            await copy.WriteAsync(r.TenantId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(r.ApiKeyId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(r.RequestId, NpgsqlDbType.Varchar);
            await copy.WriteAsync(r.At.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(r.Endpoint.ToString(), NpgsqlDbType.Varchar);
            await copy.WriteAsync(r.Model, NpgsqlDbType.Varchar);
            if (r.ChannelId is { } channelId) await copy.WriteAsync(channelId, NpgsqlDbType.Uuid);
            else await copy.WriteNullAsync();
            await copy.WriteAsync(r.InputTokens, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.CachedInputTokens, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.OutputTokens, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.InputPricePerMillionMicroYuan, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.OutputPricePerMillionMicroYuan, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.CachedInputPricePerMillionMicroYuan, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.CostMicroYuan, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.PlanCreditUsedMicroYuan, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.WalletChargedMicroYuan, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.HoldMicroYuan, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.Status.ToString(), NpgsqlDbType.Varchar);
            await copy.WriteAsync(r.HttpStatus, NpgsqlDbType.Integer);
            if (r.ErrorCode is { } code) await copy.WriteAsync(code, NpgsqlDbType.Varchar);
            else await copy.WriteNullAsync();
            await copy.WriteAsync(r.Stream, NpgsqlDbType.Boolean);
            await copy.WriteAsync(r.Estimated, NpgsqlDbType.Boolean);
            await copy.WriteAsync(r.Overdraft, NpgsqlDbType.Boolean);
            await copy.WriteAsync(r.LatencyMs, NpgsqlDbType.Integer);
            if (r.TimeToFirstTokenMs is { } ttft) await copy.WriteAsync(ttft, NpgsqlDbType.Integer);
            else await copy.WriteNullAsync();
            await copy.WriteAsync(r.ClientIp, NpgsqlDbType.Varchar);
            if (r.ChannelType is { } channelType) await copy.WriteAsync(channelType.ToString(), NpgsqlDbType.Varchar);
            else await copy.WriteNullAsync();
            await copy.WriteAsync(r.CacheWriteInputTokens, NpgsqlDbType.Bigint);
            await copy.WriteAsync(r.CacheWritePricePerMillionMicroYuan, NpgsqlDbType.Bigint);
            if (r.ChannelRegion is { } region) await copy.WriteAsync(region.ToString(), NpgsqlDbType.Varchar);
            else await copy.WriteNullAsync();
            if (r.PiiFindings is { } findings) await copy.WriteAsync(findings, NpgsqlDbType.Varchar);
            else await copy.WriteNullAsync();
        }

        await copy.CompleteAsync();
    }

    private static async Task<Dictionary<Guid, Wallet>> LockWalletsAsync(PortalDbContext db, List<Guid> walletIds)
    {
        if (walletIds.Count == 0) return [];
        if (IsPostgres(db))
        {
            var ids = walletIds.ToArray();
            return await db.Wallets.FromSql($"SELECT * FROM wallets WHERE id = ANY({ids}) ORDER BY id FOR UPDATE").IgnoreTenantFilter().ToDictionaryAsync(w => w.Id);
        }

        // SQLite has one writer: the first write of the transaction takes the database's write lock for all of it.
        await db.Wallets.IgnoreTenantFilter().Where(w => walletIds.Contains(w.Id)).ExecuteUpdateAsync(u => u.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan));
        return await db.Wallets.IgnoreTenantFilter().Where(w => walletIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id);
    }
}
