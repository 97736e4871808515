using Recurrent.Cli;

namespace Recurrent.Tests.Cli;

/// <summary>The figures of the live display.</summary>
public class ProgressTextTests
{
    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(6.2, "0:07")]
    [InlineData(750, "12:30")]
    [InlineData(7500, "2:05:00")]
    public void DurationsReadLikeAClock(double seconds, string expected) =>
        Assert.Equal(expected, ProgressText.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void TimeLeftFollowsThePaceSoFar()
    {
        Assert.Null(ProgressText.Remaining(TimeSpan.FromSeconds(3), 0));
        Assert.Equal(TimeSpan.FromSeconds(30), ProgressText.Remaining(TimeSpan.FromSeconds(10), 0.25));
        Assert.Equal(TimeSpan.Zero, ProgressText.Remaining(TimeSpan.FromSeconds(10), 1));
    }

    [Fact]
    public void FiguresNameTheirUnits()
    {
        Assert.Equal("14,300 chars/s · perplexity 87.31 · 0:52 left", ProgressText.Figures(14300.4, "chars", 87.3149, TimeSpan.FromSeconds(51.5)));
        Assert.Equal("12 words/s · perplexity 1,234 · time left unknown", ProgressText.Figures(12, "words", 1234.4, null));
        Assert.Equal("1 chars/s · perplexity Infinity · 0:01 left", ProgressText.Figures(1, "chars", double.PositiveInfinity, TimeSpan.FromSeconds(1)));
    }
}
