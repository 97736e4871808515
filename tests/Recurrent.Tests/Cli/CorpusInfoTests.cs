using System.Text.RegularExpressions;
using Recurrent.Tests.Checkpoints;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary><c>recurrent corpus info</c> in process (so with plain output): its figures on the book's corpus, and its user errors.</summary>
public partial class CorpusInfoTests : FolderTests
{

    // The cells of the line that starts with the given first cell, split on runs of two or more spaces.
    private static string[] Row(string output, string first)
    {
        string line = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(first + "  ", StringComparison.Ordinal));
        return Columns().Split(line);
    }

    [GeneratedRegex(" {2,}")]
    private static partial Regex Columns();

    [Fact]
    public void BooksCorpusHasTenThousandCharactersAndEightMinibatchesEitherWay()
    {
        var result = Run("corpus", "info", "jaychou");
        Assert.Equal(0, result.Code);
        Assert.Equal("", result.Err);
        string output = result.Out.ReplaceLineEndings("\n");
        Assert.DoesNotContain('\u001b', output);   // no ANSI escapes when the output is not a terminal
        Assert.Equal(["corpus", "jaychou"], Row(output, "corpus"));
        Assert.Equal(["characters", "10,000"], Row(output, "characters"));
        Assert.Equal(["vocabulary", "1,027 distinct characters"], Row(output, "vocabulary"));
        Assert.Equal(["random", "8", "8,960 (89.6%)"], Row(output, "random"));
        Assert.Equal(["consecutive", "8", "8,960 (89.6%)"], Row(output, "consecutive"));
        Assert.Contains("minibatches per epoch of 32 examples x 35 steps:", output);
        // The book turns line breaks into spaces, the most frequent character; then 我 and 的.
        Assert.Equal(["\u2420", "U+0020", "1,352", "13.5%"], Row(output, "\u2420"));
        Assert.Equal(["我", "U+6211", "367", "3.7%"], Row(output, "我"));
        string[] lines = output.Split('\n');
        int header = Array.FindIndex(lines, l => l.Trim().StartsWith("character  ", StringComparison.Ordinal));
        Assert.Equal(10, lines.Skip(header + 1).TakeWhile(l => l.Trim().Length > 0).Count());
    }

    [Fact]
    public void BatchSizeStepsAndMaxCharsChangeTheCounts()
    {
        var result = Run("corpus", "info", "jaychou", "--max-chars", "5000", "--batch-size", "2", "--steps", "5", "--top", "3");
        Assert.Equal(0, result.Code);
        Assert.Equal(["characters", "5,000"], Row(result.Out, "characters"));
        // Random: (5000 - 1) / 5 = 999 examples, 999 / 2 = 499 minibatches; consecutive: (5000 / 2 - 1) / 5 = 499.
        Assert.Equal(["random", "499", "4,990 (99.8%)"], Row(result.Out, "random"));
        Assert.Equal(["consecutive", "499", "4,990 (99.8%)"], Row(result.Out, "consecutive"));
        Assert.Contains("minibatches per epoch of 2 examples x 5 steps:", result.Out);
    }

    [Fact]
    public void TopZeroLeavesOutTheTable()
    {
        var result = Run("corpus", "info", "jaychou", "--top", "0");
        Assert.Equal(0, result.Code);
        Assert.DoesNotContain("most frequent", result.Out);
    }

    [Fact]
    public void InvisibleCharactersAreShownReadably()
    {
        string path = Dir.File("small.txt", "a\nb\tc  \u00A0x\u200By\n");
        var result = Run("corpus", "info", path, "--top", "20", "--batch-size", "1", "--steps", "1");
        Assert.Equal(0, result.Code);
        Assert.Equal(["\u2420", "U+0020", "2", "16.7%"], Row(result.Out, "\u2420"));
        Assert.Equal(["\u240A", "U+000A", "2", "16.7%"], Row(result.Out, "\u240A"));   // ␊
        Assert.Equal(["\u2409", "U+0009", "1", "8.3%"], Row(result.Out, "\u2409"));    // ␉
        Assert.Equal(["U+00A0", "U+00A0", "1", "8.3%"], Row(result.Out, "U+00A0"));   // no-break space
        Assert.Equal(["U+200B", "U+200B", "1", "8.3%"], Row(result.Out, "U+200B"));   // zero-width space
        Assert.DoesNotContain('\t', result.Out);
        Assert.DoesNotContain('\u200B', result.Out);
    }

    [Fact]
    public void CorpusTooShortForOneMinibatchSaysWhatEachSamplingNeeds()
    {
        var result = Run("corpus", "info", Dir.File("short.txt", "分开不分开"));
        Assert.Equal(0, result.Code);
        Assert.Equal(["random", "0", "-"], Row(result.Out, "random"));
        Assert.Contains("random sampling needs at least 1,121 characters", result.Out);
        Assert.Contains("consecutive sampling needs at least 1,152 characters", result.Out);
        Assert.Contains("--batch-size", result.Out);
    }

    [Fact]
    public void MissingCorpusIsOneSentence() =>
        AssertUserError(Run("corpus", "info", Dir.File("nope.txt")), "nope.txt", "neither a built-in corpus");

    [Fact]
    public void EmptyCorpusIsOneSentence() =>
        AssertUserError(Run("corpus", "info", Dir.File("empty.txt", "")), "empty");

    [Fact]
    public void MissingDataDirectoryIsOneSentence() =>
        AssertUserError(Run("corpus", "info", "jaychou", "--data-dir", Dir.File("nowhere")), "nowhere", "does not exist");

    [Theory]
    [InlineData("--batch-size", "0")]
    [InlineData("--steps", "0")]
    [InlineData("--top", "-1")]
    [InlineData("--max-chars", "0")]
    public void NonsenseValuesNameTheOption(string option, string value) =>
        AssertUserError(Run("corpus", "info", "jaychou", option, value), option);

    [Fact]
    public void CorpusArgumentIsRequired() => AssertUserError(Run("corpus", "info"), "recurrent --help");

    [Fact]
    public void CorpusAloneAsksForASubcommand() => AssertUserError(Run("corpus"), "recurrent corpus info");
}
