using System.Net;
using Portal.Relay.Access;

namespace Portal.UnitTests.Relay.Access;

public class IpAllowlistTests
{
    private static IpAllowlist List(params string[] entries)
    {
        var result = IpAllowlist.Parse(entries);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("203.0.113.7", "203.0.113.7/32")]
    [InlineData(" 192.168.1.0/24 ", "192.168.1.0/24")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8::1", "2001:db8::1/128")]
    [InlineData("::/0", "::/0")]
    public void Parses_addresses_and_cidr_blocks(string entry, string expected)
    {
        var parsed = IpAllowlist.ParseEntry(entry);

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(expected, parsed.Value.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/33", "prefix length must be a number from 0 to 32")]
    [InlineData("2001:db8::/129", "from 0 to 128")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/8/8", "prefix length")]
    [InlineData("10.0.0.1/8", "did you mean 10.0.0.0/8?")]
    [InlineData("2001:db8::1/32", "did you mean 2001:db8::/32?")]
    [InlineData("10.1", "four dotted parts")]
    [InlineData("10", "four dotted parts")]
    [InlineData("999.0.0.1", "not an IPv4 or IPv6 address")]
    [InlineData("example.com", "not an IPv4 or IPv6 address")]
    [InlineData("fe80::1%eth0", "zone ids")]
    public void Rejects_invalid_entries_with_a_clear_message(string entry, string why)
    {
        var parsed = IpAllowlist.ParseEntry(entry);

        Assert.False(parsed.IsSuccess);
        Assert.Equal("Relay.IpAllowlist.InvalidEntry", parsed.Error.Code);
        Assert.Contains(entry.Trim(), parsed.Error.Message, StringComparison.Ordinal);
        Assert.Contains(why, parsed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_invalid_entry_fails_the_whole_list()
    {
        var result = IpAllowlist.Parse(["10.0.0.0/8", "bogus"]);

        Assert.False(result.IsSuccess);
        Assert.Contains("'bogus'", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_a_typed_list_with_mixed_separators()
    {
        var result = IpAllowlist.Parse("10.0.0.0/8, 192.168.0.1;\n2001:db8::/32  10.0.0.0/8");

        Assert.True(result.IsSuccess);
        Assert.Equal(3, result.Value.Networks.Count); // the duplicate is dropped
    }

    [Fact]
    public void Empty_list_allows_everyone()
    {
        var list = List();

        Assert.True(list.IsUnrestricted);
        Assert.True(list.Allows(IPAddress.Parse("8.8.8.8")));
        Assert.Same(IpAllowlist.AllowAll, IpAllowlist.Parse("  ").Value);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.0", false)]
    [InlineData("203.0.113.7", true)]
    [InlineData("203.0.113.8", false)]
    [InlineData("2001:db8:1234::1", true)]
    [InlineData("2001:db9::1", false)]
    public void Matches_addresses_inside_the_blocks(string address, bool allowed)
    {
        var list = List("10.0.0.0/8", "203.0.113.7", "2001:db8::/32");

        Assert.Equal(allowed, list.Allows(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:11.1.2.3", false)]
    public void Ipv4_mapped_ipv6_clients_match_ipv4_entries(string address, bool allowed)
    {
        var list = List("10.0.0.0/8");

        Assert.Equal(allowed, list.Allows(IPAddress.Parse(address)));
    }

    [Fact]
    public void Ipv4_clients_match_entries_written_in_mapped_form()
    {
        var list = List("::ffff:10.0.0.0/104");

        Assert.True(list.Allows(IPAddress.Parse("10.9.8.7")));
        Assert.True(list.Allows(IPAddress.Parse("::ffff:10.9.8.7")));
        Assert.False(list.Allows(IPAddress.Parse("11.0.0.1")));
    }

    [Fact]
    public void Ipv6_clients_do_not_match_ipv4_entries_by_accident()
    {
        // ::a01:203 has the same low 32 bits as 10.1.2.3 but is not IPv4-mapped.
        var list = List("10.0.0.0/8");

        Assert.False(list.Allows(IPAddress.Parse("::a01:203")));
        Assert.False(list.Allows(IPAddress.Parse("2001:db8::a01:203")));
    }

    [Fact]
    public void Scoped_link_local_client_matches_its_block()
    {
        var list = List("fe80::/10");

        Assert.True(list.Allows(IPAddress.Parse("fe80::1%2")));
    }
}
