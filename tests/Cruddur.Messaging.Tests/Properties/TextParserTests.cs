using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;

namespace Cruddur.Messaging.Tests.Properties;

/// <summary>The public parsers the hosts read their inputs with: the same rules as the patterns' own validation.</summary>
public sealed class TextParserTests
{
    [Theory]
    [InlineData("andrewbrown", "andrewbrown")]
    [InlineData("@andrewbrown", "andrewbrown")]
    [InlineData("  @andrewbrown ", "andrewbrown")]
    [InlineData("@@andrewbrown", "@andrewbrown")]
    [InlineData("@", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void A_handle_loses_blanks_and_one_leading_at(string? text, string? expected) =>
        HandleText.Parse(text).ShouldBe(expected);

    [Theory]
    [InlineData(null, PageRequest.DefaultLimit)]
    [InlineData("1", 1)]
    [InlineData("100", 100)]
    public void A_limit_from_1_to_100_is_a_page(string? limit, int expected)
    {
        var page = PageRequestText.Parse(limit, cursor: "");
        page.Error.ShouldBeNull();
        page.Value.ShouldBe(new PageRequest(expected, null));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1e2")]
    [InlineData("ten")]
    [InlineData("")]
    [InlineData("99999999999")]
    public void Any_other_limit_is_out_of_range_like_the_patterns_say(string limit) =>
        PageRequestText.Parse(limit, cursor: null).Error.ShouldNotBeNull().ShouldBe(MessageValidator.Limit(0));
}
