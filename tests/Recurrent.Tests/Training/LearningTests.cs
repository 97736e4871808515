namespace Recurrent.Tests.Training;

/// <summary>Short real training runs on the first 1,000 characters of the lyrics: the models must actually learn them.</summary>
public class LearningTests
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(ModelKind.Concise, Sampling.Consecutive, CellKind.Lstm)]
    [InlineData(ModelKind.Concise, Sampling.Random, CellKind.Lstm)]
    [InlineData(ModelKind.Scratch, Sampling.Consecutive, CellKind.Lstm)]
    [InlineData(ModelKind.Scratch, Sampling.Random, CellKind.Lstm)]
    [InlineData(ModelKind.Concise, Sampling.Consecutive, CellKind.Gru)]
    [InlineData(ModelKind.Scratch, Sampling.Consecutive, CellKind.Gru)]
    [InlineData(ModelKind.Concise, Sampling.Consecutive, CellKind.Rnn)]
    [InlineData(ModelKind.Scratch, Sampling.Consecutive, CellKind.Rnn)]
    public void PerplexityFallsFromTheVocabularySizeToUnderFour(ModelKind model, Sampling sampling, CellKind cell)
    {
        var corpus = new CorpusLoader().Load("jaychou", maxChars: 1000);
        Assert.Equal(180, corpus.Vocabulary.Size);
        var options = new TrainingOptions
        { Model = new() { Kind = model, Cell = cell, Hidden = 64 }, Optimization = new() { Sampling = sampling, BatchSize = 8, Steps = 10, Epochs = 40, LearningRate = 100f, ClipTheta = 0.01f }, Report = new() { Period = 40, PredictionLength = 10 } };
        var rng = new Rng(options.Optimization.Seed);
        var reports = new List<EpochReport>();
        new Trainer(Trainer.CreateModel(options, corpus.Vocabulary.Size, rng), corpus.Vocabulary, corpus.Indices, options, rng)
            .Run(reports.Add);

        // An untrained model is close to uniform (perplexity ≈ V = 180); after 40 epochs it has learnt the text.
        Assert.InRange(reports[0].Perplexity, 100, 200);
        Assert.True(reports[^1].Perplexity < 4, $"perplexity after 40 epochs: {reports[^1].Perplexity}");
    }
}
