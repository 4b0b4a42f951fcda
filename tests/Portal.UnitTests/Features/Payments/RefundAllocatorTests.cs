using Portal.Core.Common;
using Portal.Core.Features.Payments.Refunds;

namespace Portal.UnitTests.Features.Payments;

public class RefundAllocatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid A1 = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid A2 = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
    private static readonly Guid A3 = Guid.Parse("00000000-0000-0000-0000-0000000000a3");
    private static readonly Guid B1 = Guid.Parse("00000000-0000-0000-0000-0000000000b1");
    private static readonly Guid B2 = Guid.Parse("00000000-0000-0000-0000-0000000000b2");

    [Fact]
    public void Most_recent_Alipay_top_ups_come_first_each_up_to_what_is_left_of_it()
    {
        var plan = RefundAllocator.Allocate(Yuan(130),
            [new(A1, T0, Yuan(100)), new(A2, T0.AddDays(2), Yuan(50)), new(A3, T0.AddDays(1), Yuan(60))],
            [new(B1, T0.AddDays(3), Yuan(1000))]);

        Assert.Equal(
            [new(RefundAllocationKind.Alipay, A2, null, Yuan(50)), new(RefundAllocationKind.Alipay, A3, null, Yuan(60)), new PlannedAllocation(RefundAllocationKind.Alipay, A1, null, Yuan(20))],
            plan);
    }

    [Fact]
    public void The_rest_goes_to_the_most_recent_bank_transfers_then_to_a_bank_part_without_a_source()
    {
        var plan = RefundAllocator.Allocate(Yuan(1500),
            [new(A1, T0, Yuan(100))],
            [new(B1, T0, Yuan(1000)), new(B2, T0.AddDays(1), Yuan(300))]);

        Assert.Equal(
            [
                new(RefundAllocationKind.Alipay, A1, null, Yuan(100)),
                new(RefundAllocationKind.Bank, null, B2, Yuan(300)),
                new(RefundAllocationKind.Bank, null, B1, Yuan(1000)),
                new PlannedAllocation(RefundAllocationKind.Bank, null, null, Yuan(100)),
            ],
            plan);
    }

    [Fact]
    public void Used_up_sources_are_skipped_and_the_parts_always_add_up_to_the_refund()
    {
        var plan = RefundAllocator.Allocate(Money.FromFen(12_345),
            [new(A1, T0, Money.Zero), new(A2, T0.AddHours(1), Money.FromFen(1))],
            [new(B1, T0, Money.Zero)]);

        Assert.Equal([new(RefundAllocationKind.Alipay, A2, null, Money.FromFen(1)), new PlannedAllocation(RefundAllocationKind.Bank, null, null, Money.FromFen(12_344))], plan);
        Assert.Equal(Money.FromFen(12_345), plan.Aggregate(Money.Zero, (sum, p) => sum + p.Amount));
    }

    [Fact]
    public void A_refund_covered_by_one_top_up_is_one_part()
    {
        var plan = RefundAllocator.Allocate(Yuan(30), [new(A1, T0, Yuan(100)), new(A2, T0.AddDays(1), Yuan(30))], []);
        Assert.Equal([new PlannedAllocation(RefundAllocationKind.Alipay, A2, null, Yuan(30))], plan);
    }

    [Fact]
    public void With_no_inbound_payment_the_whole_refund_is_one_bank_part()
    {
        Assert.Equal([new PlannedAllocation(RefundAllocationKind.Bank, null, null, Yuan(5))], RefundAllocator.Allocate(Yuan(5), [], []));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_refund_must_be_positive(long fen) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RefundAllocator.Allocate(Money.FromFen(fen), [], []));

    [Fact]
    public void Alipay_request_numbers_are_stable_and_valid()
    {
        var refundNo = RefundNumbers.New(TimeProvider.System);
        Assert.Matches("^RF[0-9]{14}[A-Z2-9]{10}$", refundNo);
        Assert.Equal(RefundNumbers.OutRequestNo(refundNo, 3), RefundNumbers.OutRequestNo(refundNo, 3));
        Assert.Matches("^[A-Za-z0-9_]{1,64}$", RefundNumbers.OutRequestNo(refundNo, 999));
    }

    private static Money Yuan(long yuan) => Money.FromYuan(yuan);
}
