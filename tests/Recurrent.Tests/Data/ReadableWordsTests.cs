namespace Recurrent.Tests.Data;

/// <summary>
/// The README's word-level run on The Time Machine, made small: with its tokenizer settings (lower-cased words,
/// punctuation split off, every training word kept) a model generates words, not &lt;unk&gt;.
/// </summary>
public class ReadableWordsTests
{
    [Fact]
    public void AtMostFivePercentUnkIn200WordsAtTemperature08()
    {
        // The README's data options; a fifteenth of the text and a small model, so that the test takes a second or two.
        var options = new TrainingOptions
        {
            Data = new() { Corpus = "timemachine", Tokens = TokenKind.Word, MinCount = 1, ValidationFraction = 0.1, MaxChars = 12_000 },
            Model = new() { Hidden = 16, Embedding = 8, Init = "uniform:0.1" },
            Optimization = new() { Optimizer = OptimizerKind.Adam, LearningRate = 0.01f, ClipTheta = 5, Epochs = 2, BatchSize = 8, Steps = 10 },
            Report = new() { Period = 2, PredictionLength = 0, Prefixes = ["the time traveller"] },
        };
        var data = TrainingData.Load(options, new CorpusLoader());
        var tokenizer = (WordTokenizer)data.Tokenizer;
        var rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, tokenizer.Vocabulary.Size, rng);
        new Trainer(model, tokenizer, data.Train, options, rng, data.Validation).Run();

        int[] prefix = tokenizer.EncodeStrict("The Time Traveller", "prefix");
        var words = model.Generate(prefix, new GenerationOptions { Length = 200, Temperature = 0.8f, Seed = 3 }).ToArray();

        Assert.Equal(200, words.Length);
        int unknown = words.Count(w => w == tokenizer.UnknownIndex);
        Assert.True(unknown <= 10, $"{unknown} of 200 generated words are <unk>: {tokenizer.Decode(words)}");
        // What the limit guards against: with the rare words mapped to <unk> (--min-count 3), they are more than a
        // tenth of the training tokens, and a model learns to generate them as often.
        var rare = TrainingData.Load(options with { Data = options.Data with { MinCount = 3 } }, new CorpusLoader());
        Assert.True(rare.Train.Count(t => t == ((WordTokenizer)rare.Tokenizer).UnknownIndex) > rare.Train.Length / 10);
    }
}
