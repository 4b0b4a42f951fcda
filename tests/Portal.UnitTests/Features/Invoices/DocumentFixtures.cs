using Portal.Core.Common;
using Portal.Core.Features.Invoices;

namespace Portal.UnitTests.Features.Invoices;

/// <summary>The font the app ships, and documents that look like what the app will print.</summary>
internal static class DocumentFixtures
{
    private static readonly Lazy<byte[]> LazyFont = new(() =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fonts", "wqy-microhei.ttf")));

    public static byte[] Font => LazyFont.Value;

    public static InvoiceDocument Invoice(bool isVoid = false) => new(
        InvoiceNumber: "25310000000012345678",
        IssuedOn: new DateOnly(2025, 3, 31),
        Type: InvoiceType.Ordinary,
        Seller: new InvoiceParty(
            "上海智算云科技有限公司",
            "91310115MA1K4XYZ8Q",
            "上海市浦东新区张江路 666 号 8 楼 021-6888 0000",
            "招商银行上海张江支行 1219 0888 6610 001"),
        Buyer: new InvoiceParty(
            "杭州星辰数据服务有限公司",
            "91330106MA2GABCD3X",
            "杭州市西湖区文三路 90 号东部软件园 3 号楼 0571-8888 1234"),
        Lines: [InvoiceLine.FromSplit("*信息技术服务*API调用服务费", "项", 1, TaxSplit.FromGross(Money.FromYuan(1_060), 600))],
        VerificationUrl: new Uri("https://portal.example.cn/invoices/verify/25310000000012345678?c=8f3a"),
        PlatformName: "Portal",
        Remarks: "2025年3月 API 调用服务费；订单号 TP202503310001",
        IsVoid: isVoid,
        VoidReason: isVoid ? "购买方名称有误，已重新开具" : null);

    /// <summary>March 2025 for a tenant with a top-up, a refund, a plan and usage of three models.</summary>
    public static StatementDocument Statement(int extraModels = 0)
    {
        List<StatementUsageLine> usage =
        [
            new("deepseek-chat", 18_240, 41_250_000, 8_730_000, new Money(52_318_400), new Money(30_000_000)),
            new("qwen-max", 2_105, 3_120_400, 910_250, new Money(71_455_125), Money.Zero),
            new("=HYPERLINK(\"http://evil\")", 3, 1_200, 300, new Money(315), Money.Zero),
        ];
        for (var i = 0; i < extraModels; i++)
            usage.Add(new($"model-{i:000}", 10 + i, 1_000 * i, 100 * i, new Money(1_234_567 * (i + 1)), Money.Zero));

        var opening = new Money(1_203_450_000);
        var topUps = Money.FromYuan(5_000);
        var refunds = Money.FromYuan(200);
        var adjustments = Money.FromFen(-1_250);
        var planPurchases = Money.FromYuan(299);
        var charged = usage.Aggregate(Money.Zero, (sum, line) => sum + line.WalletCharged);
        return new StatementDocument(
            TenantName: "杭州星辰数据服务有限公司",
            TenantId: "T-000123",
            Year: 2025,
            Month: 3,
            OpeningBalance: opening,
            TopUps: topUps,
            Refunds: refunds,
            Adjustments: adjustments,
            PlanPurchases: planPurchases,
            Usage: usage,
            ExpiredPlanCredit: Money.FromYuan(12),
            ClosingBalance: opening + topUps - refunds + adjustments - planPurchases - charged,
            GeneratedAt: new DateTimeOffset(2025, 4, 1, 1, 5, 0, TimeSpan.Zero),
            PlatformName: "Portal");
    }
}
