using Recurrent.Cli;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// <c>recurrent train --save / --save-every / --resume / --init-from</c>, in process: a run interrupted and resumed
/// prints the perplexities of the uninterrupted run, and every misuse is one sentence with exit code 2.
/// </summary>
public class CheckpointCliTests : SmallCorpusTests
{

    // The small run of every command test, reporting every epoch.
    private string[] Train(params string[] extra) => CliHarness.Train(Corpus, ["--period", "1", .. extra]);

    /// <summary>Standard output that fails once a line starts with a given text, as if the process died there.</summary>
    private sealed class DyingWriter(string fatalLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            if (value is not null && value.StartsWith(fatalLine, StringComparison.Ordinal)) throw new IOException("killed");
            base.WriteLine(value);
        }
    }

    [Theory]
    [InlineData("random")]
    [InlineData("consecutive")]
    public void ARunKilledAfterACheckpointAndResumedPrintsTheSamePerplexities(string sampling)
    {
        string path = Dir.File("run.safetensors");
        var full = Run(Train("--epochs", "5", "--sampling", sampling));
        Assert.Equal(0, full.Code);

        // Saved after epochs 2 and 4; the process dies while reporting epoch 3.
        var killed = Run(Train("--epochs", "5", "--sampling", sampling, "--save", path, "--save-every", "2"), stdout: new DyingWriter("epoch 3,"));
        Assert.Equal(CliApp.InternalError, killed.Code);
        Assert.Contains($"saved {path} after epoch 2", killed.Err);
        Assert.Equal(2, Checkpoint.Load(path).Training!.Epoch);

        var resumed = Run(["train", "--resume", path, "--threads", "1"]);   // every option, --epochs 5 included, comes from the file
        Assert.Equal(0, resumed.Code);
        Assert.Equal(WithoutTimes(full.Out), WithoutTimes(killed.Out).Concat(WithoutTimes(resumed.Out)));
        Assert.StartsWith("epoch 3,", resumed.Out);
        Assert.Equal(5, Checkpoint.Load(path).Training!.Epoch);
    }

    [Fact]
    public void ResumingCanExtendTheRunAndSaveElsewhere()
    {
        string first = Dir.File("first.safetensors"), second = Dir.File("second.safetensors");
        var full = Run(Train("--epochs", "4"));
        Assert.Equal(0, Run(Train("--epochs", "2", "--save", first)).Code);
        var resumed = Run(["train", "--resume", first, "--epochs", "4", "--save", second, "--period", "2", "--threads", "1"]);
        Assert.Equal(0, resumed.Code);
        Assert.Equal(WithoutTimes(full.Out).Skip(6), WithoutTimes(resumed.Out));   // two lines per epoch; with --period 2 only epoch 4 is reported
        var saved = Checkpoint.Load(second).Training!;
        Assert.Equal((4, 4, 2), (saved.Epoch, saved.Options.Optimization.Epochs, saved.Options.Report.Period));
    }

    [Fact]
    public void InitFromTrainsTheWeightsOnAnotherCorpusWithTheirVocabulary()
    {
        string source = Dir.File("source.safetensors"), tuned = Dir.File("tuned.safetensors");
        Assert.Equal(0, Run(Train("--epochs", "1", "--save", source)).Code);
        string other = Dir.File("other.txt");
        File.WriteAllText(other, string.Concat(Enumerable.Repeat("你的微笑 我想要 ", 10)));

        var result = Run(["train", "--init-from", source, "--corpus", other, "--epochs", "2", "--batch-size", "2", "--steps", "4", "--period", "1", "--prefix", "你的", "--save", tuned]);
        Assert.Equal(0, result.Code);
        Assert.Contains("epoch 2, perplexity", result.Out);
        var checkpoint = Checkpoint.Load(tuned);
        Assert.Equal(Checkpoint.Load(source).Vocabulary.Tokens, checkpoint.Vocabulary.Tokens);
        Assert.Equal(8, checkpoint.Configuration.HiddenSize);
        Assert.Equal(1UL, checkpoint.Training!.Options.Optimization.Seed);
    }

    [Fact]
    public void InitFromNamesTheCorpusCharactersOutsideTheVocabulary()
    {
        string source = Dir.File("source.safetensors");
        Assert.Equal(0, Run(Train("--epochs", "1", "--save", source)).Code);
        string other = Dir.File("other.txt");
        File.WriteAllText(other, "分开龘靐\t分开" + new string('开', 100));
        var result = Run(["train", "--init-from", source, "--corpus", other, "--batch-size", "2", "--steps", "4"]);
        AssertUserError(result, "3 characters not in the vocabulary of");
        Assert.Contains("U+0009, '靐', '龘'", result.Err);
    }

    [Fact]
    public void ResumingOnAnotherTextIsRefused()
    {
        string path = Dir.File("run.safetensors");
        Assert.Equal(0, Run(Train("--epochs", "1", "--save", path)).Code);
        AssertUserError(Run(["train", "--resume", path, "--epochs", "2", "--max-chars", "100"]), "is not the text");
    }

    [Fact]
    public void ACorpusThatMovedIsNamedAsTheCheckpointsAndCorpusGivesItsNewPlace()
    {
        // The checkpoint keeps the path as the run was given it; a run resumed after the file moved (or from another
        // folder, for a relative path) must say where the path came from.
        string path = Dir.File("run.safetensors"), moved = Dir.File("moved/corpus.txt");
        Assert.Equal(0, Run(Train("--epochs", "1", "--save", path)).Code);
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        File.Move(Corpus, moved);

        AssertUserError(Run(["train", "--resume", path, "--epochs", "2"]),
            $"The corpus {Corpus} that {path} was trained on does not exist from here (the checkpoint keeps the path as its run was given it): give where it is with --corpus.");
        var resumed = Run(["train", "--resume", path, "--epochs", "2", "--corpus", moved]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(2, Checkpoint.Load(path).Training!.Epoch);
    }

    [Theory]
    [InlineData("--lr", "0.5", "--lr 0.5 differs from the 1 that")]
    [InlineData("--hidden", "16", "--hidden 16 differs from the 8 that")]
    [InlineData("--sampling", "random", "--sampling random differs from the consecutive that")]
    [InlineData("--seed", "2", "--seed 2 differs")]
    public void AResumedRunKeepsItsOptions(string option, string value, string fragment)
    {
        string path = Dir.File("run.safetensors");
        Assert.Equal(0, Run(Train("--epochs", "1", "--save", path)).Code);
        AssertUserError(Run(["train", "--resume", path, "--epochs", "2", option, value]), fragment);
        Assert.Equal(0, Run(["train", "--resume", path, "--epochs", "2", "--lr", "1", "--hidden", "8"]).Code);   // the same values are fine
    }

    [Fact]
    public void CheckpointMisuseIsOneSentence()
    {
        string path = Dir.File("run.safetensors");
        Assert.Equal(0, Run(Train("--epochs", "1", "--save", path)).Code);
        string modelOnly = Dir.File("model.safetensors");
        new Checkpoint(Model(ModelKind.Concise), Vocab).Save(modelOnly);
        string corrupt = Dir.File("corrupt.safetensors");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(path)[..300]);

        AssertUserError(Run(Train("--save-every", "2")), "--save-every needs --save");
        AssertUserError(Run(Train("--save", path, "--save-every", "0")), "--save-every must be at least 1");
        AssertUserError(Run(Train("--resume", path, "--init-from", path)), "cannot be combined");
        AssertUserError(Run(["train", "--resume", path]), "has already trained 1 of 1 epochs: give --epochs above 1");
        AssertUserError(Run(["train", "--resume", modelOnly, "--epochs", "3"]), "no training run to resume");
        AssertUserError(Run(["train", "--resume", Dir.File("missing.safetensors")]), "does not exist");
        AssertUserError(Run(["train", "--resume", corrupt]), "corrupt.safetensors is not a valid checkpoint");
        AssertUserError(Run(["train", "--init-from", path, "--hidden", "32"]), "--hidden 32 differs from the 8 of the model in");
        AssertUserError(Run(["train", "--init-from", path, "--model", "scratch"]), "--model scratch differs");
        var missingFolder = Run(Train("--epochs", "1", "--save", Path.Combine(Dir.Path, "no-such-dir", "x.safetensors")));
        AssertUserError(missingFolder, "no-such-dir of --save does not exist");
        Assert.Equal("", missingFolder.Out);   // refused before training, not after
    }
}
