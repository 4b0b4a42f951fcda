using System.Globalization;
using System.Text.Json;
using Portal.Core.Common;

namespace Portal.Core.Features.Sla;

/// <summary>The promise: target availability (ppm), credit per hour down (% of the day's fees), cap (% of the month's fees).</summary>
public sealed record SlaTerms(int TargetPpm, int CompensationPercent, int MaxCreditPercent);

/// <summary>One model on one Beijing day: the tenant's fees, and the model's measured traffic across all tenants.</summary>
public sealed record SlaDay(string Model, int Day, long FeesMicroYuan, long Requests, long PlatformFailures);

/// <summary>One model's result for the month, as stored with the credit and shown to operators.</summary>
/// <param name="Model">The model id.</param>
/// <param name="FeesMicroYuan">The tenant's fees on it this month.</param>
/// <param name="AvailabilityPpm">Availability weighted by the tenant's daily fees, parts per million, rounded down.</param>
/// <param name="HoursDown">Σ over the days of (failed share × 24 h), weighted the same way, to two decimals (information).</param>
/// <param name="Breached">Availability below the target.</param>
/// <param name="CreditMicroYuan">What the rule gives for it (after the cap); 0 when the target was met.</param>
public sealed record SlaModelOutcome(string Model, long FeesMicroYuan, int AvailabilityPpm, decimal HoursDown, bool Breached, long CreditMicroYuan)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string AvailabilityText => (AvailabilityPpm / 10_000m).ToString("0.000", CultureInfo.InvariantCulture) + " %";

    public static string Serialize(IReadOnlyList<SlaModelOutcome> models) => JsonSerializer.Serialize(models, Json);

    public static IReadOnlyList<SlaModelOutcome> Parse(string json) =>
        string.IsNullOrWhiteSpace(json) ? [] : JsonSerializer.Deserialize<List<SlaModelOutcome>>(json, Json) ?? [];
}

/// <summary>The month's outcome for a tenant: per model, the fees of the month and the credit (whole fen).</summary>
public sealed record SlaAssessment(IReadOnlyList<SlaModelOutcome> Models, long FeesMicroYuan, long AmountMicroYuan)
{
    public IEnumerable<SlaModelOutcome> Breaches => Models.Where(m => m.Breached);
}

/// <summary>
/// The SLA arithmetic, pure and exact (integers; no floating point). For each model the tenant paid for:
/// availability = 1 − Σ(fees_d × failed_d ÷ counted_d) ÷ Σ fees_d, weighted by the tenant's own fees of each day d
/// (a day without measured traffic counts as available). Below the target, the credit is
/// Σ_d ⌊fees_d × compensation% × 24 × failed_d ÷ (100 × counted_d)⌋ (failed share × 24 = hours down that day),
/// capped at ⌊month's fees on the model × max%⌋. The sum over models is rounded down to the fen.
/// </summary>
public static class SlaCalculator
{
    public static SlaAssessment Assess(SlaTerms terms, IEnumerable<SlaDay> days)
    {
        var models = new List<SlaModelOutcome>();
        foreach (var model in days.Where(d => d.FeesMicroYuan > 0).GroupBy(d => d.Model, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            long fees = 0;
            // Σ fees_d × failed_d ÷ counted_d as an exact fraction would need a common denominator; a day's share is
            // computed to 1e-12 of a micro-yuan instead, far below the fen the result is rounded to.
            Int128 weightedFailedPico = 0;
            Int128 credit = 0;
            foreach (var day in model)
            {
                fees += day.FeesMicroYuan;
                if (day.Requests <= 0 || day.PlatformFailures <= 0) continue;
                weightedFailedPico += (Int128)day.FeesMicroYuan * day.PlatformFailures * 1_000_000 / day.Requests;
                credit += (Int128)day.FeesMicroYuan * terms.CompensationPercent * 24 * day.PlatformFailures / (100 * (Int128)day.Requests);
            }

            // Availability rounded down: a miss by less than a ppm is still a miss.
            var failedPpm = (weightedFailedPico + fees - 1) / fees;
            var availability = (int)(1_000_000 - failedPpm);
            var hoursDown = (decimal)(weightedFailedPico * 24 * 100 / fees / 1_000_000) / 100m;
            var cap = (Int128)fees * terms.MaxCreditPercent / 100;
            var breached = availability < terms.TargetPpm;
            var due = breached ? (long)Int128.Min(credit, cap) : 0;
            models.Add(new SlaModelOutcome(model.Key, fees, availability, hoursDown, breached, due));
        }

        var total = models.Sum(m => m.CreditMicroYuan);
        return new SlaAssessment(models, models.Sum(m => m.FeesMicroYuan), total - total % Money.MicroPerFen);
    }
}

/// <summary>SLA months are Beijing-time calendar months, keyed yyyyMM.</summary>
public static class SlaMonths
{
    public static int Key(int year, int month) => year * 100 + month;

    public static (int Year, int Month) Split(int key) => (key / 100, key % 100);

    public static string Text(int key) => $"{key / 100:0000}-{key % 100:00}";
}
