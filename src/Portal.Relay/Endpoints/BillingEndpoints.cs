using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Relay.Admission;
using Portal.Relay.Auth;
using Portal.Relay.Errors;

namespace Portal.Relay.Endpoints;

/// <summary>
/// The two OpenAI "dashboard billing" endpoints that third-party chat clients (NextChat, Lobe Chat, Cherry Studio …) read
/// to show a balance. <b>Units: CNY in the USD-named fields.</b> <c>*_limit_usd</c> are yuan; <c>total_usage</c> and
/// line item <c>cost</c> are fen (1/100 yuan), as OpenAI reports cents. Clients compute "remaining" as
/// <c>hard_limit_usd − total_usage / 100</c> for the current month, so <c>hard_limit_usd</c> is what the key can still
/// spend now (less money held for pending refunds) plus what the tenant spent this month (Asia/Shanghai).
/// </summary>
internal sealed class BillingEndpoints(RelayAuthenticator authenticator, IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Longest range <c>/v1/dashboard/billing/usage</c> answers, as OpenAI limits it.</summary>
    public const int MaxDays = 100;

    public async Task SubscriptionAsync(HttpContext context)
    {
        context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
        var (key, refused) = await authenticator.AuthenticateAsync(context);
        if (refused is not null)
        {
            await RelayHttp.WriteErrorAsync(context, refused);
            return;
        }

        var now = clock.GetUtcNow();
        var monthStart = MonthStart(now);
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(context.RequestAborted);
        // The relay acts for the key's tenant only (explicit filter: there is no signed-in user).
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(w => w.TenantId == key!.TenantId, context.RequestAborted);
        // Reserved holds two things: leases, this tenant's own money set aside for its requests (not spent, so not
        // deducted here), and refund holds, money on its way back to the tenant that can no longer be spent (deducted).
        var refundHeld = await db.RefundRequests.IgnoreTenantFilter()
            .Where(r => r.TenantId == key!.TenantId && r.HeldMicroYuan > 0)
            .SumAsync(r => (long?)r.HeldMicroYuan, context.RequestAborted) ?? 0;
        var spendable = wallet is null ? 0 : Math.Max(0, (wallet.Balance + wallet.CreditLimit + wallet.LivePlanCredit(now)).MicroYuan - refundHeld);
        if (key!.MonthlyBudgetMicroYuan is { } budget)
        {
            var month = KeyBudgets.MonthOf(now);
            var used = await db.ApiKeySpends.IgnoreTenantFilter().Where(s => s.ApiKeyId == key.Id && s.Month == month)
                .Select(s => (long?)(s.SpentMicroYuan + s.ReservedMicroYuan)).FirstOrDefaultAsync(context.RequestAborted) ?? 0;
            spendable = Math.Min(spendable, Math.Max(0, budget - used));
        }

        var monthUsage = await db.UsageRecords.IgnoreTenantFilter()
            .Where(u => u.TenantId == key.TenantId && u.At >= monthStart && u.At < now.AddSeconds(1))
            .SumAsync(u => (long?)u.CostMicroYuan, context.RequestAborted) ?? 0;
        var limit = Yuan(spendable + monthUsage);

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "billing_subscription"u8);
            writer.WriteBoolean("has_payment_method"u8, true);
            writer.WriteNumber("soft_limit_usd"u8, limit);
            writer.WriteNumber("hard_limit_usd"u8, limit);
            writer.WriteNumber("system_hard_limit_usd"u8, limit);
            writer.WriteNumber("access_until"u8, key.ExpiresAt?.ToUnixTimeSeconds() ?? 0);
            writer.WriteStartObject("plan"u8);
            writer.WriteString("title"u8, "Portal (CNY)"u8);
            writer.WriteString("id"u8, "portal-cny"u8);
            writer.WriteEndObject();
            writer.WriteString("currency"u8, "CNY"u8);
            writer.WriteEndObject();
        }

        await ModelsEndpoint.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    public async Task UsageAsync(HttpContext context)
    {
        context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
        var (key, refused) = await authenticator.AuthenticateAsync(context);
        if (refused is not null)
        {
            await RelayHttp.WriteErrorAsync(context, refused);
            return;
        }

        if (!TryDate(context.Request.Query["start_date"], out var startDate) || !TryDate(context.Request.Query["end_date"], out var endDate))
        {
            await RelayHttp.WriteErrorAsync(context, OpenAiErrors.InvalidRequest("start_date and end_date are required, as YYYY-MM-DD (Asia/Shanghai days; end_date is exclusive).", "start_date", "invalid_value"));
            return;
        }

        if (endDate <= startDate || endDate.DayNumber - startDate.DayNumber > MaxDays)
        {
            await RelayHttp.WriteErrorAsync(context, OpenAiErrors.InvalidRequest($"end_date must be after start_date and at most {MaxDays} days later.", "end_date", "invalid_value"));
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(context.RequestAborted);
        var tenantId = key!.TenantId;
        var days = new List<(DateTimeOffset Day, List<(string Model, long Cost)> Items)>();
        long total = 0;
        for (var day = startDate; day < endDate; day = day.AddDays(1))
        {
            var from = DayStart(day);
            var to = DayStart(day.AddDays(1));
            var items = await db.UsageRecords.IgnoreTenantFilter()
                .Where(u => u.TenantId == tenantId && u.At >= from && u.At < to && u.CostMicroYuan > 0)
                .GroupBy(u => u.Model)
                .Select(g => new { Model = g.Key, Cost = g.Sum(u => u.CostMicroYuan) })
                .ToListAsync(context.RequestAborted);
            total += items.Sum(i => i.Cost);
            days.Add((from, items.OrderBy(i => i.Model, StringComparer.Ordinal).Select(i => (i.Model, i.Cost)).ToList()));
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("daily_costs"u8);
            foreach (var (day, items) in days)
            {
                writer.WriteStartObject();
                writer.WriteNumber("timestamp"u8, day.ToUnixTimeSeconds());
                writer.WriteStartArray("line_items"u8);
                foreach (var (model, cost) in items)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name"u8, model);
                    writer.WriteNumber("cost"u8, Fen(cost));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("total_usage"u8, Fen(total));
            writer.WriteString("currency"u8, "CNY"u8);
            writer.WriteEndObject();
        }

        await ModelsEndpoint.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static decimal Yuan(long microYuan) => (decimal)microYuan / Money.MicroPerYuan;

    private static decimal Fen(long microYuan) => (decimal)microYuan / Money.MicroPerFen;

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static DateTimeOffset DayStart(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, ChinaTime.Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static DateTimeOffset MonthStart(DateTimeOffset now)
    {
        var china = ChinaTime.ToChina(now);
        return DayStart(new DateOnly(china.Year, china.Month, 1));
    }
}
