using Recurrent.Tests.Data;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>With no prefix given, a run predicts from prefixes that belong to its corpus, and none of them makes it fail.</summary>
public class DefaultPrefixTests : IDisposable
{
    private const string Story = "Once upon a time there was a lighthouse keeper.\nOnce a year the keeper rowed to town.\n";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static DefaultPrefixes PrefixesOf(string corpus, TokenKind tokens = TokenKind.Char, int? maxChars = null, WordNormalization? words = null)
    {
        var data = new DataOptions
        {
            Corpus = corpus, Tokens = tokens, MaxChars = maxChars,
            Lowercase = tokens == TokenKind.Word ? words?.Lowercase : null, Punctuation = tokens == TokenKind.Word ? words?.Punctuation : null,
        };
        return TrainingData.Load(new TrainingOptions { Data = data }, new CorpusLoader()).DefaultPrefixes;
    }

    [Fact]
    public void TheLyricsKeepTheBooksPrefixes()
    {
        var prefixes = PrefixesOf("jaychou");

        Assert.Equal(["分开", "不分开"], prefixes.Prefixes);
        Assert.False(prefixes.FromText);
    }

    [Theory]
    [InlineData(TokenKind.Char)]
    [InlineData(TokenKind.Word)]
    public void TheTimeMachineGetsEnglishPrefixes(TokenKind tokens)
    {
        var prefixes = PrefixesOf("timemachine", tokens);

        Assert.Equal(["time traveller", "the"], prefixes.Prefixes);
        Assert.False(prefixes.FromText);
    }

    [Fact]
    public void ABuiltInCorpusCutTooShortForItsPrefixesTakesThemFromItsText()
    {
        var prefixes = PrefixesOf("jaychou", maxChars: 12);   // 想要有直升机 想要和你飞: no 分

        Assert.Equal(["想要有直升机", "想要和你飞"], prefixes.Prefixes);
        Assert.True(prefixes.FromText);
    }

    [Fact]
    public void AUsersTextGivesItsFirstTwoDistinctWords()
    {
        string path = _temp.File("story.txt", System.Text.Encoding.UTF8.GetBytes(Story));

        Assert.Equal(["Once", "upon"], PrefixesOf(path).Prefixes);
        Assert.Equal(["once", "upon"], PrefixesOf(path, TokenKind.Word).Prefixes);
        Assert.Equal(["Once", "upon"], PrefixesOf(path, TokenKind.Word, words: WordNormalization.None).Prefixes);
        Assert.True(PrefixesOf(path).FromText);
    }

    [Fact]
    public void LongWordsAndPunctuationAreLeftOutOfTextPrefixes()
    {
        string chars = _temp.File("long.txt", System.Text.Encoding.UTF8.GetBytes("Antidisestablishmentarianism! is long\n"));
        string words = _temp.File("marks.txt", System.Text.Encoding.UTF8.GetBytes("-- ... \"Hello,\" she said\n"));

        Assert.Equal(["Antidisestab", "is"], PrefixesOf(chars).Prefixes);
        Assert.Equal(["hello", "she"], PrefixesOf(words, TokenKind.Word).Prefixes);
    }

    [Fact]
    public void ARunOnAUsersFileSaysWhichPrefixesItTookInItsFirstNote()
    {
        string path = _temp.File("story.txt", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Story, 4))));

        var (code, output, err) = Run("train", "--corpus", path, "--epochs", "2", "--period", "2", "--hidden", "8", "--batch-size", "2",
            "--steps", "5", "--pred-len", "4", "--threads", "1");

        Assert.Equal(0, code);
        Assert.Equal("predicting from 'Once' and 'upon', the first words of story.txt (--prefix chooses others)", err.Split('\n')[0].TrimEnd());
        string[] predictions = output.Split('\n').Where(l => l.StartsWith(" - ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, predictions.Length);
        Assert.StartsWith(" - Once", predictions[0]);
        Assert.StartsWith(" - upon", predictions[1]);
    }

    [Fact]
    public void ARunOnTheTimeMachinePredictsFromEnglishWithoutANote()
    {
        var (code, output, err) = Run("train", "--corpus", "timemachine", "--max-chars", "3000", "--epochs", "1", "--period", "1", "--hidden", "8",
            "--batch-size", "4", "--steps", "10", "--pred-len", "4", "--threads", "1");

        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("\n - time traveller", output);
        Assert.Contains("\n - the", output);
    }

    [Fact]
    public void AResumedRunKeepsThePrefixesItStartedWith()
    {
        string corpus = _temp.File("story.txt", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Story, 4))));
        string checkpoint = Path.Combine(_temp.Path, "run.safetensors");
        string[] common = ["--hidden", "8", "--batch-size", "2", "--steps", "5", "--pred-len", "4", "--period", "1", "--threads", "1"];

        Assert.Equal(0, Run(["train", "--corpus", corpus, "--epochs", "1", "--save", checkpoint, .. common]).Code);
        Assert.Equal(["Once", "upon"], Checkpoint.Load(checkpoint).Training!.Options.Report.Prefixes);
        var (code, output, err) = Run("train", "--resume", checkpoint, "--corpus", corpus, "--epochs", "2", "--threads", "1");

        Assert.Equal(0, code);
        Assert.DoesNotContain("predicting from", err);
        Assert.Contains("\n - upon", output);
    }

    [Fact]
    public void ARunShorterThanTheReportPeriodReportsAtItsLastEpoch()
    {
        string path = _temp.File("story.txt", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Story, 4))));
        string[] run = ["train", "--corpus", path, "--epochs", "3", "--hidden", "8", "--batch-size", "2", "--steps", "5", "--pred-len", "4", "--threads", "1"];

        var (code, output, _) = Run(run);
        Assert.Equal(0, code);
        Assert.Equal(["epoch 3"], output.Split('\n').Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).Select(l => l.Split(',')[0]));
        // A period given is kept, even when the run is too short to reach it.
        Assert.DoesNotContain("epoch ", Run([.. run, "--period", "40"]).Out);
    }
}
