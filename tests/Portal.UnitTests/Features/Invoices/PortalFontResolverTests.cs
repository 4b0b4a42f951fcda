using Portal.Core.Features.Invoices;

namespace Portal.UnitTests.Features.Invoices;

public class PortalFontResolverTests
{
    [Fact]
    public void Installing_the_same_font_again_is_harmless()
    {
        PortalFontResolver.Install(DocumentFixtures.Font);
        PortalFontResolver.Install(DocumentFixtures.Font.ToArray());
    }

    [Fact]
    public void A_different_font_after_the_first_is_refused()
    {
        PortalFontResolver.Install(DocumentFixtures.Font);
        var other = DocumentFixtures.Font.ToArray();
        other[^1] ^= 0xFF;

        Assert.Throws<InvalidOperationException>(() => PortalFontResolver.Install(other));
    }

    [Fact]
    public void A_truetype_collection_is_refused_with_a_clear_message()
    {
        var collection = "ttcf\0\u0001\0\0\0\0\0\u0001"u8.ToArray();

        var error = Assert.Throws<ArgumentException>(() => PortalFontResolver.Install(collection));
        Assert.Contains(".ttc", error.Message);
    }
}
