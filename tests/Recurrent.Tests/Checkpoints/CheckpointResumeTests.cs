using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// A run stopped after epoch k, saved, loaded and resumed reports exactly (bit for bit) the perplexities and
/// predictions of the uninterrupted run, and ends with the same weights.
/// </summary>
public class CheckpointResumeTests
{
    private const int Stop = 2;

    private static TrainingOptions Options(ModelKind kind, Sampling sampling) => new()
    { Model = new() { Kind = kind, Hidden = 8 }, Optimization = new() { Sampling = sampling, BatchSize = 2, Steps = 4, Epochs = 5, LearningRate = 1f, ClipTheta = 1f }, Report = new() { Period = 1, PredictionLength = 6, Prefixes = ["分开"] } };

    private static int[] Corpus => Vocab.Encode(Text);

    private static (List<EpochReport> Reports, LanguageModel Model) Uninterrupted(TrainingOptions options)
    {
        var rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, Vocab.Size, rng);
        var reports = new List<EpochReport>();
        new Trainer(model, Vocab, Corpus, options, rng).Run(reports.Add);
        return (reports, model);
    }

    /// <summary>The first <see cref="Stop"/> epochs, then the checkpoint the run would leave behind.</summary>
    private static (List<EpochReport> Reports, byte[] Checkpoint) UntilStopped(TrainingOptions options)
    {
        var rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, Vocab.Size, rng);
        var trainer = new Trainer(model, Vocab, Corpus, options, rng);
        var reports = Enumerable.Range(1, Stop).Select(trainer.TrainEpoch).ToList();
        var state = new TrainingState { Options = options, Epoch = Stop, RngState = rng.GetState(), CorpusSha256 = Recurrent.Data.Corpus.Fingerprint(Text) };
        return (reports, Bytes(model, state));
    }

    private static long[] Perplexities(IEnumerable<EpochReport> reports) => reports.Select(r => BitConverter.DoubleToInt64Bits(r.Perplexity)).ToArray();

    [Theory]
    [InlineData(ModelKind.Concise, Sampling.Random)]
    [InlineData(ModelKind.Concise, Sampling.Consecutive)]
    [InlineData(ModelKind.Scratch, Sampling.Random)]
    [InlineData(ModelKind.Scratch, Sampling.Consecutive)]
    public void AResumedRunReportsWhatTheUninterruptedRunReports(ModelKind kind, Sampling sampling)
    {
        var options = Options(kind, sampling);
        var (expected, expectedModel) = Uninterrupted(options);
        var (before, bytes) = UntilStopped(options);

        var checkpoint = Load(bytes);
        var training = checkpoint.Training!;
        var after = new List<EpochReport>();
        new Trainer(checkpoint.Model, checkpoint.Vocabulary, Corpus, training.Options, training.CreateRng()).Run(after.Add, training.Epoch + 1);

        Assert.Equal([1, 2, 3, 4, 5], before.Concat(after).Select(r => r.Epoch));
        Assert.Equal(Perplexities(expected), Perplexities(before.Concat(after)));
        Assert.Equal(expected.Select(r => string.Join("|", r.Predictions)), before.Concat(after).Select(r => string.Join("|", r.Predictions)));
        foreach (var (p, q) in expectedModel.Parameters.Zip(checkpoint.Model.Parameters))
            Assert.Equal(Bits(p.Value), Bits(q.Value));
    }

    [Fact]
    public void WithoutTheGeneratorStateRandomSamplingGoesAnotherWay()
    {
        // The test above would pass vacuously if the generator did not matter; it does for random sampling.
        var options = Options(ModelKind.Concise, Sampling.Random);
        var (expected, _) = Uninterrupted(options);
        var checkpoint = Load(UntilStopped(options).Checkpoint);
        var after = new List<EpochReport>();
        new Trainer(checkpoint.Model, checkpoint.Vocabulary, Corpus, options, new Rng(options.Optimization.Seed)).Run(after.Add, Stop + 1);
        Assert.NotEqual(Perplexities(expected.Skip(Stop)), Perplexities(after));
    }
}
