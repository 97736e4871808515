namespace Recurrent.Tests.Cli;

/// <summary>The README's library example, on a small slice so that it runs in seconds: it must keep compiling and working.</summary>
public class ReadmeExampleTests : FolderTests
{

    [Fact]
    public void TheLibraryExampleTrainsSavesLoadsAndGenerates()
    {
        var corpus = new CorpusLoader().Load("jaychou", maxChars: 1000);
        var options = new TrainingOptions { Optimization = new() { Epochs = 20, BatchSize = 8, Steps = 10 }, Model = new() { Hidden = 32 }, Report = new() { Period = 20, PredictionLength = 5 } };
        var rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, corpus.Vocabulary.Size, rng);
        var lines = new List<string>();
        new Trainer(model, corpus.Vocabulary, corpus.Indices, options, rng).Run(report => lines.Add(report.Line));
        Assert.Equal(20, lines.Count);

        string path = Dir.File("lyrics.safetensors");
        new Checkpoint(model, corpus.Vocabulary).Save(path);
        var loaded = Checkpoint.Load(path);
        var prefix = loaded.Tokenizer.EncodeStrict("分开", "prefix");
        var text = string.Concat(loaded.Model.Generate(prefix, new GenerationOptions { Length = 50, Temperature = 0.8f, TopK = 10 })
            .Select(token => loaded.Vocabulary.Tokens[token]));
        Assert.Equal(50, text.EnumerateRunes().Count());
    }
}
