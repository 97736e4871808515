using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Training;

/// <summary>
/// A patience of N stops a run once N reports in a row have not beaten the best validation perplexity (the count in
/// checkpoints is tested in <see cref="Checkpoints.EarlyStoppingCheckpointTests"/>).
/// </summary>
public class EarlyStoppingTests
{
    internal const int Epochs = 60;

    // Held out: the fixture's characters in another order, so the model first learns and then overfits.
    private static readonly int[] Validation = Vocab.Encode("我想要 分开 你的 微笑 不分开 想要 你的微笑 分开");

    internal static TrainingOptions Options(int? patience) => new()
    {
        Model = new() { Hidden = 16 },
        Data = new() { ValidationFraction = 0.1 },   // what a validation text comes from on the command line; the trainer takes the tokens
        Optimization = new() { BatchSize = 2, Steps = 4, Epochs = Epochs, LearningRate = 2f, ClipTheta = 1f, Patience = patience },
        Report = new() { Period = 2, PredictionLength = 4, Prefixes = ["分开"] },
    };

    internal static Trainer NewTrainer(TrainingOptions options, LanguageModel model, Rng rng) =>
        new(model, new CharacterTokenizer(Vocab), Vocab.Encode(Text), options, rng, Validation);

    internal static List<EpochReport> Run(TrainingOptions options)
    {
        var rng = new Rng(options.Optimization.Seed);
        var reports = new List<EpochReport>();
        NewTrainer(options, Trainer.CreateModel(options, Vocab.Size, rng), rng).Run(reports.Add);
        return reports;
    }

    /// <summary>The epoch where a patience would stop the run of <paramref name="reports"/>, counted here independently of <see cref="EarlyStopping"/>.</summary>
    private static int StopEpoch(IEnumerable<EpochReport> reports, int patience)
    {
        double best = double.PositiveInfinity;
        int since = 0;
        foreach (var r in reports.Where(r => r.ValidationPerplexity is not null))
        {
            if (r.ValidationPerplexity!.Value < best) (best, since) = (r.ValidationPerplexity.Value, 0);
            else if (++since == patience) return r.Epoch;
        }
        return Epochs;
    }

    internal static long[] Bits(IEnumerable<EpochReport> reports) =>
        reports.SelectMany(r => new[] { r.Perplexity, r.ValidationPerplexity ?? -1 }).Select(BitConverter.DoubleToInt64Bits).ToArray();

    [Fact]
    public void TheBestIsTheLowestPerplexityAndEveryOtherReportCounts()
    {
        var s = EarlyStopping.None.After(5.0);
        Assert.Equal((5.0, 0), (s.Best, s.ReportsSinceBest));
        s = s.After(6.0).After(5.0);   // equal is no improvement
        Assert.Equal((5.0, 2), (s.Best, s.ReportsSinceBest));
        Assert.True(s.Stops(2));
        Assert.False(s.Stops(3));
        Assert.False(s.Stops(null));
        s = s.After(4.5);
        Assert.Equal((4.5, 0), (s.Best, s.ReportsSinceBest));
        Assert.False(EarlyStopping.None.Stops(1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ARunStopsAfterPatienceReportsWithoutImprovement(int patience)
    {
        var full = Run(Options(null));
        int stop = StopEpoch(full, patience);
        Assert.True(stop < Epochs, $"the validation perplexity should stop improving within {Epochs} epochs of this run");

        var stopped = Run(Options(patience));

        Assert.Equal(stop, stopped[^1].Epoch);
        Assert.True(stopped[^1].StopsEarly);
        Assert.All(stopped.SkipLast(1), r => Assert.False(r.StopsEarly));
        Assert.Equal(Bits(full.Take(stop)), Bits(stopped));   // patience changes when the run ends, nothing else
    }

    [Fact]
    public void ARunThatHadStoppedTrainsNothingWhenResumed()
    {
        var options = Options(1);
        var reports = Run(options);
        var rng = new Rng(options.Optimization.Seed);
        var trainer = NewTrainer(options, Trainer.CreateModel(options, Vocab.Size, rng), rng);
        foreach (var r in reports) trainer.TrainEpoch(r.Epoch);
        Assert.True(trainer.Stopping.Stops(1));
        var more = new List<EpochReport>();
        trainer.Run(more.Add, reports[^1].Epoch + 1);
        Assert.Empty(more);
    }
}
