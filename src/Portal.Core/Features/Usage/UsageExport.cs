using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Usage;

/// <summary>
/// Streams the current tenant's request log (a filter) as CSV or JSON in constant memory: the rows are read in keyset
/// chunks of <see cref="ChunkSize"/> (no tracking, one query per chunk) and each chunk is written and flushed before
/// the next is read, so a million rows never sit in memory at once.
/// </summary>
public sealed class UsageExport(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access)
{
    public const int ChunkSize = 2_000;

    /// <summary>Column keys (English; the caller translates them for the header row).</summary>
    public static readonly string[] Columns =
    [
        "Time (Beijing)", "Request ID", "Key name", "Key prefix", "Model", "Endpoint", "Status", "HTTP status", "Error code", "Streamed", "Estimated",
        "Input tokens", "Cached input tokens", "Output tokens", "Input price (¥/1M)", "Cached input price (¥/1M)", "Output price (¥/1M)",
        "Cost (¥)", "Plan credit used (¥)", "Wallet charged (¥)", "Latency (ms)", "Time to first token (ms)", "Client IP",
    ];

    /// <summary>Checks the caller may read the tenant's usage; call before sending any header.</summary>
    public async Task<Result<Unit>> AuthorizeAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        return member.IsSuccess ? Unit.Value : member.Error;
    }

    /// <summary>
    /// Writes the CSV (BOM, header, CRLF records) to <paramref name="output"/>; returns the number of rows. <paramref name="text"/>
    /// translates the header and the enumerated values (endpoint, status, yes/no), so they match the header's language.
    /// </summary>
    public async Task<long> WriteCsvAsync(Stream output, RequestLogFilter filter, Func<string, string> text, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, Csv.Utf8WithBom, bufferSize: 64 * 1024, leaveOpen: true);
        Csv.WriteRow(writer, Columns.Select(c => Csv.Field(text(c))));
        var count = await ForEachChunkAsync(filter, async rows =>
        {
            foreach (var r in rows)
            {
                Csv.WriteRow(writer,
                [
                    ChinaTime.Format(r.At, seconds: true), Csv.Field(r.RequestId, untrusted: true), Csv.Field(r.KeyName, untrusted: true), Csv.Field(r.KeyPrefix),
                    Csv.Field(r.Model, untrusted: true), Csv.Field(text(EnumText.Key(r.Endpoint))), Csv.Field(text(EnumText.Key(r.Status))), Int(r.HttpStatus), Csv.Field(r.ErrorCode, untrusted: true),
                    Csv.Field(text(r.Stream ? "Yes" : "No")), Csv.Field(text(r.Estimated ? "Yes" : "No")), Int(r.InputTokens), Int(r.CachedInputTokens), Int(r.OutputTokens),
                    Yuan(r.InputPricePerMillion), Yuan(r.CachedInputPricePerMillion), Yuan(r.OutputPricePerMillion),
                    Yuan(r.Cost), Yuan(r.PlanCreditUsed), Yuan(r.WalletCharged), Int(r.LatencyMs), r.TimeToFirstTokenMs is { } t ? Int(t) : "", Csv.Field(r.ClientIp),
                ]);
            }

            await writer.FlushAsync(cancellationToken);
        }, cancellationToken);
        await writer.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>Writes a JSON array of rows; amounts as yuan strings and as integer micro-yuan, times in UTC (ISO 8601).</summary>
    public async Task<long> WriteJsonAsync(Stream output, RequestLogFilter filter, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartArray();
        var count = await ForEachChunkAsync(filter, async rows =>
        {
            foreach (var r in rows)
            {
                json.WriteStartObject();
                json.WriteString("id", r.Id);
                json.WriteString("at", r.At.UtcDateTime);
                json.WriteString("requestId", r.RequestId);
                json.WriteString("apiKeyId", r.ApiKeyId);
                json.WriteString("keyName", r.KeyName);
                json.WriteString("keyPrefix", r.KeyPrefix);
                json.WriteString("model", r.Model);
                json.WriteString("endpoint", r.Endpoint.ToString());
                json.WriteString("status", r.Status.ToString());
                json.WriteNumber("httpStatus", r.HttpStatus);
                if (r.ErrorCode is null) json.WriteNull("errorCode");
                else json.WriteString("errorCode", r.ErrorCode);
                json.WriteBoolean("stream", r.Stream);
                json.WriteBoolean("estimated", r.Estimated);
                json.WriteNumber("inputTokens", r.InputTokens);
                json.WriteNumber("cachedInputTokens", r.CachedInputTokens);
                json.WriteNumber("outputTokens", r.OutputTokens);
                json.WriteString("cost", Yuan(r.Cost));
                json.WriteNumber("costMicroYuan", r.Cost.MicroYuan);
                json.WriteNumber("planCreditUsedMicroYuan", r.PlanCreditUsed.MicroYuan);
                json.WriteNumber("walletChargedMicroYuan", r.WalletCharged.MicroYuan);
                json.WriteNumber("inputPricePerMillionMicroYuan", r.InputPricePerMillion.MicroYuan);
                json.WriteNumber("cachedInputPricePerMillionMicroYuan", r.CachedInputPricePerMillion.MicroYuan);
                json.WriteNumber("outputPricePerMillionMicroYuan", r.OutputPricePerMillion.MicroYuan);
                json.WriteNumber("latencyMs", r.LatencyMs);
                if (r.TimeToFirstTokenMs is { } t) json.WriteNumber("timeToFirstTokenMs", t);
                else json.WriteNull("timeToFirstTokenMs");
                json.WriteString("clientIp", r.ClientIp);
                json.WriteEndObject();
            }

            await json.FlushAsync(cancellationToken);
        }, cancellationToken);
        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>Bill check columns (English keys, translated by the caller).</summary>
    public static readonly string[] BillColumns =
        ["Group", "Name", "Requests", "Input tokens", "Cached input tokens", "Output tokens", "Cost (¥)", "Plan credit used (¥)", "Wallet charged (¥)"];

    /// <summary>
    /// The bill check as CSV (BOM, CRLF): one row per model, one per key, and the month's total; each group sums to the
    /// total, which equals the sum of the month's request log.
    /// </summary>
    public static async Task WriteBillCsvAsync(Stream output, UsageBill bill, Func<string, string> text, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, Csv.Utf8WithBom, bufferSize: 16 * 1024, leaveOpen: true);
        Csv.WriteRow(writer, BillColumns.Select(c => Csv.Field(text(c))));
        foreach (var (group, rows) in new[] { (text("Model"), bill.ByModel), (text("API key"), bill.ByKey) })
        {
            foreach (var row in rows) Csv.WriteRow(writer, BillRow(group, row.Name, row.Totals));
        }

        Csv.WriteRow(writer, BillRow(text("Total"), $"{bill.Year:D4}-{bill.Month:D2}", bill.Totals));
        await writer.FlushAsync(cancellationToken);
    }

    private static string[] BillRow(string group, string name, UsageTotals t) =>
    [
        Csv.Field(group), Csv.Field(name, untrusted: true), Int(t.Requests), Int(t.InputTokens), Int(t.CachedInputTokens), Int(t.OutputTokens),
        Yuan(t.Cost), Yuan(t.PlanCreditUsed), Yuan(t.WalletCharged),
    ];

    private async Task<long> ForEachChunkAsync(RequestLogFilter filter, Func<List<RequestLogRow>, Task> write, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = await UsageQueries.KeyNamesAsync(db, cancellationToken);
        RequestLogCursor? after = null;
        long count = 0;
        var chunk = new List<RequestLogRow>(ChunkSize);
        while (true)
        {
            chunk.Clear();
            await foreach (var record in RequestLog.Query(db, filter, after).Take(ChunkSize).AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                chunk.Add(RequestLog.Row(record, keys));
            }

            if (chunk.Count == 0) return count;
            count += chunk.Count;
            after = new RequestLogCursor(chunk[^1].At, chunk[^1].Id);
            await write(chunk);
            if (chunk.Count < ChunkSize) return count;
        }
    }

    internal static string Yuan(Money money) => (money.MicroYuan / (decimal)Money.MicroPerYuan).ToString("0.00####", CultureInfo.InvariantCulture);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
