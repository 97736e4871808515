using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// Resuming is exact beyond the book too: stacked GRU layers with dropout, trained by Adam with a decaying learning
/// rate, whose optimizer state and dropout masks must both carry over.
/// </summary>
public class BeyondResumeTests
{
    private const int Stop = 2;

    private static TrainingOptions Options(OptimizerKind optimizer) => new()
    { Model = new() { Cell = CellKind.Gru, Layers = 2, Dropout = 0.3f, Embedding = 5, Hidden = 8 }, Optimization = new() { Optimizer = optimizer, LearningRate = 0.01f, LrDecay = 0.5f, LrDecayAfter = 2, ClipTheta = 1f, Sampling = Sampling.Random, BatchSize = 2, Steps = 4, Epochs = 5 }, Report = new() { Period = 1, PredictionLength = 6, Prefixes = ["分开"] } };

    private static int[] Corpus => Vocab.Encode(Text);

    private static long[] Perplexities(IEnumerable<EpochReport> reports) => reports.Select(r => BitConverter.DoubleToInt64Bits(r.Perplexity)).ToArray();

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Momentum)]
    public void AResumedRunWithOptimizerStateAndDropoutReportsWhatTheUninterruptedRunReports(OptimizerKind optimizer)
    {
        var options = Options(optimizer);
        var rng = new Rng(options.Optimization.Seed);
        var expected = new List<EpochReport>();
        new Trainer(Trainer.CreateModel(options, Vocab.Size, rng), Vocab, Corpus, options, rng).Run(expected.Add);

        rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, Vocab.Size, rng);
        var trainer = new Trainer(model, Vocab, Corpus, options, rng);
        var before = Enumerable.Range(1, Stop).Select(trainer.TrainEpoch).ToList();
        var state = new TrainingState { Options = options, Epoch = Stop, RngState = rng.GetState(), OptimizerState = trainer.Optimizer.State };
        Assert.NotEmpty(state.OptimizerState);

        var checkpoint = Load(Bytes(model, state));
        var training = checkpoint.Training!;
        var resumedRng = training.CreateRng();
        var resumed = new Trainer(checkpoint.Model, new CharacterTokenizer(checkpoint.Vocabulary), Corpus, training.Options, resumedRng);
        resumed.Optimizer.LoadState(training.OptimizerState, checkpoint.Model.Parameters);
        var after = new List<EpochReport>();
        resumed.Run(after.Add, Stop + 1);

        Assert.Equal(Perplexities(expected), Perplexities(before.Concat(after)));
        Assert.Equal(expected.Select(r => r.LearningRate), before.Concat(after).Select(r => r.LearningRate));
    }

    [Fact]
    public void WithoutTheOptimizerStateAdamGoesAnotherWay()
    {
        // The test above would pass vacuously if the state did not matter.
        var options = Options(OptimizerKind.Adam);
        var rng = new Rng(options.Optimization.Seed);
        var expected = new List<EpochReport>();
        new Trainer(Trainer.CreateModel(options, Vocab.Size, rng), Vocab, Corpus, options, rng).Run(expected.Add);

        rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, Vocab.Size, rng);
        var trainer = new Trainer(model, Vocab, Corpus, options, rng);
        for (int e = 1; e <= Stop; e++) trainer.TrainEpoch(e);
        var after = new List<EpochReport>();
        new Trainer(model, Vocab, Corpus, options, rng).Run(after.Add, Stop + 1);   // a fresh Adam
        Assert.NotEqual(Perplexities(expected.Skip(Stop)), Perplexities(after));
    }
}
