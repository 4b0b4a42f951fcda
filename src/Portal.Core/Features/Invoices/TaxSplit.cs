using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// A tax-inclusive amount (含税金额) split into the amount excluding tax (不含税金额) and the VAT (税额), the way
/// the tax bureau's invoicing software does it: 不含税 = round(含税 ÷ (1 + 税率), 2, half away from zero),
/// 税额 = 含税 − 不含税, so the two always add back to the amount the customer paid.
/// </summary>
/// <param name="Gross">含税金额, whole fen.</param>
/// <param name="Net">不含税金额, whole fen.</param>
/// <param name="Tax">税额, whole fen; <c>Gross - Net</c>.</param>
/// <param name="RateBasisPoints">税率 in basis points (600 = 6 %).</param>
public readonly record struct TaxSplit(Money Gross, Money Net, Money Tax, int RateBasisPoints)
{
    private const long BasisPointsPerUnit = 10_000;

    /// <summary>
    /// Splits <paramref name="gross"/> at <paramref name="rateBasisPoints"/>. Exact integer arithmetic on fen; a
    /// negative gross (a credit note) splits symmetrically.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="gross"/> is not a whole number of fen.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rateBasisPoints"/> is outside 0–10,000 (0–100 %).</exception>
    public static TaxSplit FromGross(Money gross, int rateBasisPoints)
    {
        if (!gross.IsWholeFen)
            throw new ArgumentException("An invoice amount must be a whole number of fen.", nameof(gross));
        if (rateBasisPoints is < 0 or > (int)BasisPointsPerUnit)
            throw new ArgumentOutOfRangeException(nameof(rateBasisPoints), rateBasisPoints, "A VAT rate is between 0 and 10,000 basis points.");

        var grossFen = gross.MicroYuan / Money.MicroPerFen;
        var numerator = checked(grossFen * BasisPointsPerUnit);
        var denominator = BasisPointsPerUnit + rateBasisPoints;
        var netFen = DivideRoundingAwayFromZero(numerator, denominator);
        var net = Money.FromFen(netFen);
        return new TaxSplit(gross, net, gross - net, rateBasisPoints);
    }

    private static long DivideRoundingAwayFromZero(long numerator, long denominator)
    {
        var quotient = Math.DivRem(numerator, denominator, out var remainder);
        // |remainder| ≥ denominator / 2, compared without dividing so odd denominators are exact.
        if (Math.Abs(remainder) * 2 >= denominator) quotient += Math.Sign(numerator);
        return quotient;
    }
}
