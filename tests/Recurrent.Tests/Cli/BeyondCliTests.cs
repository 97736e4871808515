using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// The options beyond the book, end to end through the CLI: cells, depth, optimizers, validation, word tokens,
/// split corpora, save-best and evaluate.
/// </summary>
public class BeyondCliTests : FolderTests
{

    private static readonly string Lines = string.Concat(Enumerable.Repeat("the time machine is a story\nthe time traveller told it\n", 30));

    [Fact]
    public void AStackedGruWithAdamAndValidationReportsBothPerplexitiesAndKeepsTheBest()
    {
        string best = Dir.File("best.safetensors");
        var (code, output, err) = Run("train", "--corpus", "jaychou", "--max-chars", "600", "--cell", "gru", "--layers", "2",
            "--dropout", "0.1", "--embedding", "8", "--optimizer", "adam", "--lr", "0.01", "--clip", "1", "--hidden", "16",
            "--batch-size", "4", "--steps", "8", "--epochs", "3", "--period", "1", "--pred-len", "4", "--val-fraction", "0.2",
            "--save-best", best, "--threads", "1");
        Assert.True(code == 0, err);
        var lines = output.Split('\n').Where(l => l.StartsWith("epoch ")).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^epoch \d, perplexity \d+\.\d{6}, validation perplexity \d+\.\d{6}, time", l));
        Assert.Contains("saved " + best, err);

        var loaded = Checkpoint.Load(best);
        Assert.Equal(CellKind.Gru, loaded.Configuration.Cell);
        Assert.Equal(2, loaded.Configuration.Layers);
        Assert.Equal(8, loaded.Configuration.Embedding);
        Assert.Contains(loaded.Training!.OptimizerState, p => p.Key.StartsWith("optimizer.exp_avg."));

        var (evalCode, evalOut, evalErr) = Run("evaluate", "--checkpoint", best, "--corpus", "jaychou", "--max-chars", "600");
        Assert.True(evalCode == 0, evalErr);
        Assert.Matches(@"perplexity \d+\.\d{6}\nbits per character \d+\.\d{6}", evalOut.Replace("\r", ""));
    }

    [Fact]
    public void WordLevelTrainingOnSplitFilesPrintsTheTestPerplexityAndGeneratesWords()
    {
        string train = Dir.File("train.txt", Lines), valid = Dir.File("valid.txt", "the time machine told it\n"), test = Dir.File("test.txt", "the story is a machine\n");
        string save = Dir.File("words.safetensors");
        var (code, output, err) = Run("train", "--tokens", "word", "--train", train, "--valid", valid, "--test", test,
            "--hidden", "16", "--batch-size", "2", "--steps", "5", "--epochs", "2", "--period", "2", "--prefix", "the time",
            "--pred-len", "3", "--optimizer", "adam", "--lr", "0.01", "--clip", "1", "--save", save, "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Matches(@"epoch 2, perplexity \d+\.\d{6}, validation perplexity \d+\.\d{6}", output);
        Assert.Matches(@" - the time( \S+){3}", output);
        Assert.Matches(@"test perplexity \d+\.\d{6}", output);

        var (genCode, genOut, genErr) = Run("generate", "--checkpoint", save, "--prefix", "the time", "--length", "4", "--temperature", "0");
        Assert.True(genCode == 0, genErr);
        Assert.StartsWith("the time ", genOut);
        AssertUserError(Run("generate", "--checkpoint", save, "--prefix", "the zebra", "--length", "4"), "'zebra'");
    }

    [Fact]
    public void EvaluateNamesCharactersTheModelDoesNotKnow()
    {
        string save = Dir.File("m.safetensors");
        Assert.Equal(0, Run("train", "--corpus", Dir.File("a.txt", string.Concat(Enumerable.Repeat("abcab ", 40))), "--hidden", "4",
            "--batch-size", "2", "--steps", "4", "--epochs", "1", "--prefix", "a", "--save", save).Code);
        AssertUserError(Run("evaluate", "--checkpoint", save, "--corpus", Dir.File("b.txt", "abcxyz")), "'x', 'y', 'z'");
    }

    [Theory]
    [InlineData("--layers", "0", "--layers")]
    [InlineData("--dropout", "1", "--dropout")]
    [InlineData("--init", "gauss:1", "normal")]
    [InlineData("--lr-decay", "2", "--lr-decay")]
    [InlineData("--val-fraction", "1.5", "--val-fraction")]
    [InlineData("--cell", "transformer", "--cell")]
    [InlineData("--optimizer", "lbfgs", "--optimizer")]
    [InlineData("--beta2", "1", "--beta2")]
    public void NonsenseOptionsBeyondTheBookAreOneSentence(string option, string value, string fragment)
    {
        // A short corpus slice and one epoch keep the run brief should a check be missing; the message must still name the option.
        AssertUserError(Run("train", "--max-chars", "2000", "--epochs", "1", option, value), fragment);
    }

    [Fact]
    public void AWordPrefixOfOnlySpacesIsOneSentenceBeforeTraining() =>
        AssertUserError(Run("train", "--tokens", "word", "--corpus", Dir.File("w.txt", Lines), "--hidden", "4",
            "--batch-size", "2", "--steps", "4", "--epochs", "1", "--prefix", "   "), "no words");

    [Fact]
    public void ATestTextTooShortIsRefusedBeforeTraining() =>
        AssertUserError(Run("train", "--corpus", Dir.File("c.txt", Lines), "--test", Dir.File("t.txt", "x"), "--hidden", "4",
            "--batch-size", "2", "--steps", "4", "--epochs", "1", "--prefix", "t"), "test text");

    [Fact]
    public void LayersNeedTheConciseModel() => AssertUserError(Run("train", "--model", "scratch", "--layers", "2"), "--model concise");
}
