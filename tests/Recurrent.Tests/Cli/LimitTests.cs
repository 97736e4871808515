using static Recurrent.Tests.Checkpoints.CheckpointFixtures;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>Lengths at and above their limits, given or read from a checkpoint: one sentence and exit code 2, never an internal error.</summary>
public class LimitTests : FolderTests
{

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public void AGenerationLengthAboveTheLimitIsOneSentence(string beam)
    {
        string path = Dir.File("model.safetensors");
        new Checkpoint(Model(ModelKind.Concise), Vocab).Save(path);
        AssertUserError(Run("generate", "--checkpoint", path, "--prefix", "分开", "--beam", beam, "--length", "2147483647"),
            "--length can be at most 1000000000 tokens, not 2147483647.");
    }

    [Fact]
    public void APredictionLengthAboveTheLimitIsOneSentence() =>
        AssertUserError(Run(Train(SmallCorpus(Dir), "--pred-len", "2147483647")), "--pred-len can be at most 1000000 tokens, not 2147483647.");

    [Fact]
    public void ACheckpointThatStoresAPredictionLengthAboveTheLimitIsRefusedBeforeTraining()
    {
        string corpus = SmallCorpus(Dir), path = Dir.File("run.safetensors");
        Assert.Equal(0, Run(Train(corpus, "--epochs", "2", "--save", path)).Code);
        var saved = Checkpoint.Load(path);
        var training = saved.Training!;
        new Checkpoint(saved.Model, saved.Tokenizer, training with
        {
            Options = training.Options with { Report = training.Options.Report with { PredictionLength = int.MaxValue } },
        }).Save(path);

        AssertUserError(Run(Train(corpus, "--resume", path, "--epochs", "3")),
            "is not a valid checkpoint", "prediction_length can be at most 1000000 tokens, not 2147483647");
    }

    [Theory]
    [InlineData("--epochs", "--epochs must be from 1 to 10000, not 2147483647.")]
    [InlineData("--length", "--length must be from 1 to 1000000000, not 2147483647.")]
    public void ABenchmarkAboveItsLimitsIsOneSentence(string option, string message) =>
        AssertUserError(Run("bench", option, "2147483647"), message);
}
