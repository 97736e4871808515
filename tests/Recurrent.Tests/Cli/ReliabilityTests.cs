using System.Text.RegularExpressions;
using Recurrent.Cli;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// A run that diverges stops with a sentence naming the epoch and leaves the last checkpoint as it was; the same seed
/// and thread count give the same output, byte for byte.
/// </summary>
public class ReliabilityTests : SmallCorpusTests
{

    [Fact]
    public void AHugeLearningRateStopsTheRunNamingTheEpochAndTheLastCheckpointStaysIntact()
    {
        string checkpoint = Dir.File("run.safetensors"), log = Dir.File("run.jsonl"), chart = Dir.File("run.svg");
        Assert.Equal(0, Run(Train(Corpus, "--epochs", "2", "--save", checkpoint)).Code);
        byte[] good = File.ReadAllBytes(checkpoint);

        // The same weights trained on with a learning rate and clipping threshold far too large, saving every epoch.
        var result = Run(["train", "--init-from", checkpoint, "--corpus", Corpus, "--batch-size", "2", "--steps", "4", "--lr", "1e30",
            "--clip", "1e30", "--epochs", "3", "--period", "1", "--save", checkpoint, "--save-every", "1", "--log", log, "--plot", chart, "--threads", "1"]);

        Assert.Equal(CliApp.UserError, result.Code);
        string error = result.Err.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        Assert.Matches(@"^error: The loss became (NaN|infinite|[^ ]+) in epoch 1(, an infinite perplexity)?: try a smaller --lr or --clip \(the last checkpoint saved, if any, is intact\)\.$", error);
        Assert.Equal(good, File.ReadAllBytes(checkpoint));
        Assert.Equal(2, Checkpoint.Load(checkpoint).Training!.Epoch);
        Assert.Empty(Directory.GetFiles(Dir.Path, ".*.tmp"));
        // The log and the chart record where it went wrong.
        var entry = Assert.Single(TrainingLog.Read(log));
        Assert.False(double.IsFinite(entry.Perplexity));
        Assert.Contains("diverged at epoch 1", File.ReadAllText(chart));
    }

    [Fact]
    public void CompareReportsADivergedVariantAndGoesOn()
    {
        string chart = Dir.File("lr.svg");
        var (code, output, err) = Run(["compare", "--lr", "1,1e30", "--clip", "1e30", "--corpus", Corpus, "--batch-size", "2", "--steps", "4",
            "--hidden", "8", "--epochs", "2", "--period", "1", "--pred-len", "3", "--threads", "1", "--out", chart]);
        Assert.True(code == 0, err);
        Assert.Contains("lr 1e30: The loss became", err);
        Assert.Matches(@"\| lr 1e30 \| +- \| +diverged in epoch 1 \| +- \|", output);
        Assert.Contains("diverged at epoch 1", File.ReadAllText(chart));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void TheSameSeedAndThreadCountGiveTheSameOutputAndCheckpoint(string threads)
    {
        // Random sampling and dropout draw from the generator; Adam keeps state: everything that could drift.
        string[] Args(string name) =>
        [
            "train", "--corpus", Corpus, "--hidden", "16", "--layers", "2", "--dropout", "0.2", "--batch-size", "3", "--steps", "5",
            "--optimizer", "adam", "--lr", "0.01", "--sampling", "random", "--epochs", "4", "--period", "2", "--pred-len", "8",
            "--seed", "7", "--threads", threads, "--save", Dir.File(name + ".safetensors"), "--log", Dir.File(name + ".jsonl"),
        ];
        var first = Run(Args("first"));
        var second = Run(Args("second"));
        Assert.True(first.Code == 0, first.Err);
        Assert.Equal(WithoutTimes(first.Out), WithoutTimes(second.Out));
        Assert.Equal(File.ReadAllBytes(Dir.File("first.safetensors")), File.ReadAllBytes(Dir.File("second.safetensors")));
        Assert.Equal(TrainingLog.Read(Dir.File("first.jsonl")).Select(e => e.Perplexity), TrainingLog.Read(Dir.File("second.jsonl")).Select(e => e.Perplexity));

        var generated = Enumerable.Range(0, 2).Select(_ => Run(["generate", "--checkpoint", Dir.File("first.safetensors"), "--prefix", "分开",
            "--length", "20", "--temperature", "1", "--seed", "3", "--threads", threads]).Out).ToList();
        Assert.Equal(generated[0], generated[1]);
    }

    [Fact]
    public void AnotherSeedGivesAnotherRun()
    {
        var a = Run(Train(Corpus, "--epochs", "1", "--period", "1", "--seed", "1"));
        var b = Run(Train(Corpus, "--epochs", "1", "--period", "1", "--seed", "2"));
        Assert.NotEqual(Regex.Match(a.Out, @"perplexity \S+").Value, Regex.Match(b.Out, @"perplexity \S+").Value);
    }
}
