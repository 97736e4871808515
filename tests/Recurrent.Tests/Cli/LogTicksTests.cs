using Recurrent.Cli;

namespace Recurrent.Tests.Cli;

/// <summary>The ticks of the log-scale perplexity axis: round real values at their log10, labelled with the values.</summary>
public class LogTicksTests
{
    private static string[] Labels(double lowValue, double highValue, double pixels, double spacing = 24) =>
        Charts.LogTicks.Generate(Math.Log10(lowValue), Math.Log10(highValue), pixels / (Math.Log10(highValue) - Math.Log10(lowValue)), spacing)
            .Where(t => t.IsMajor).Select(t => t.Label).ToArray();

    [Fact]
    public void BooksRunGetsOneTwoFivePerDecade() =>
        Assert.Equal(["5", "10", "20", "50", "100", "200", "500", "1000"], Labels(3.6, 1027, pixels: 250));

    [Fact]
    public void TallAxisGetsOneTwoThreeFive() =>
        Assert.Equal(["5", "10", "20", "30", "50", "100", "200", "300", "500", "1000"], Labels(3.6, 1027, pixels: 600));

    [Fact]
    public void ShortAxisGetsPowersOfTen() =>
        Assert.Equal(["10", "100", "1000"], Labels(3.6, 1027, pixels: 100));

    [Fact]
    public void VeryWideRangeSkipsPowersOfTen()
    {
        string[] labels = Labels(1, 1e12, pixels: 150);
        Assert.InRange(labels.Length, 2, 7);
        Assert.Contains("1", labels);
        Assert.Contains("1E+6", labels);
    }

    [Fact]
    public void NarrowRangeGetsEvenlySpacedValues() =>
        Assert.Equal(["3.6", "3.7", "3.8", "3.9", "4", "4.1", "4.2"], Labels(3.55, 4.22, pixels: 200));

    [Fact]
    public void PositionsAreTheLogarithmsOfTheLabels()
    {
        var ticks = Charts.LogTicks.Generate(Math.Log10(2), Math.Log10(900), 100, 24);
        Assert.All(ticks.Where(t => t.IsMajor), t => Assert.Equal(Math.Log10(double.Parse(t.Label, System.Globalization.CultureInfo.InvariantCulture)), t.Position, 1e-9));
        // Minor ticks mark the other integers of each decade.
        Assert.Contains(ticks, t => !t.IsMajor && Math.Abs(t.Position - Math.Log10(7)) < 1e-9);
    }

    [Theory]
    [InlineData(1000.0, "1000")]
    [InlineData(0.5, "0.5")]
    [InlineData(3.6000000001, "3.6")]
    [InlineData(2e7, "2E+7")]
    public void LabelsArePlainAsciiNumbers(double value, string label) => Assert.Equal(label, Charts.LogTicks.Label(value));
}
