using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>Where money came in: a paid Alipay or WeChat Pay top-up or a confirmed bank transfer, and how much of it is not yet refunded.</summary>
/// <param name="Id">The top-up order or bank transfer.</param>
/// <param name="At">When it was paid or confirmed.</param>
/// <param name="Remaining">Its amount less everything already allocated to refunds.</param>
/// <param name="Kind">The rail a top-up is refunded through (Alipay or Wechat); ignored for bank transfers.</param>
public sealed record RefundSource(Guid Id, DateTimeOffset At, Money Remaining, RefundAllocationKind Kind = RefundAllocationKind.Alipay);

/// <summary>One part of a refund as the allocator plans it.</summary>
public sealed record PlannedAllocation(RefundAllocationKind Kind, Guid? TopUpOrderId, Guid? BankTransferOrderId, Money Amount);

/// <summary>
/// Splits a refund over the ways the money came in: the most recent rail top-ups first, Alipay and WeChat Pay alike
/// (each at most what is left of it, back through the rail it came from), then the most recent bank transfers, and whatever no inbound payment covers (operator credits) as one
/// bank part without a source.
/// </summary>
public static class RefundAllocator
{
    public static IReadOnlyList<PlannedAllocation> Allocate(Money amount, IEnumerable<RefundSource> railTopUps, IEnumerable<RefundSource> bankTransfers)
    {
        if (amount <= Money.Zero) throw new ArgumentOutOfRangeException(nameof(amount), "A refund must be positive.");
        var plan = new List<PlannedAllocation>();
        var left = amount;
        foreach (var source in MostRecentFirst(railTopUps))
        {
            if (left == Money.Zero) break;
            var part = Min(left, source.Remaining);
            plan.Add(new PlannedAllocation(source.Kind, source.Id, null, part));
            left -= part;
        }

        foreach (var source in MostRecentFirst(bankTransfers))
        {
            if (left == Money.Zero) break;
            var part = Min(left, source.Remaining);
            plan.Add(new PlannedAllocation(RefundAllocationKind.Bank, null, source.Id, part));
            left -= part;
        }

        if (left > Money.Zero) plan.Add(new PlannedAllocation(RefundAllocationKind.Bank, null, null, left));
        return plan;
    }

    private static IEnumerable<RefundSource> MostRecentFirst(IEnumerable<RefundSource> sources) =>
        sources.Where(s => s.Remaining > Money.Zero).OrderByDescending(s => s.At).ThenByDescending(s => s.Id);

    private static Money Min(Money a, Money b) => a <= b ? a : b;
}
