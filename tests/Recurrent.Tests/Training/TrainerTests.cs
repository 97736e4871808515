namespace Recurrent.Tests.Training;

public class TrainerTests
{
    private static readonly string Text = "分开 不分开 我想要 你的 微笑 分开 不分开 我想要 你的 微笑 " + new string('的', 40);

    private static Trainer Make(TrainingOptions options, string text)
    {
        var vocabulary = Vocabulary.FromCharacters(text);
        var rng = new Rng(options.Optimization.Seed);
        return new Trainer(Trainer.CreateModel(options, vocabulary.Size, rng), vocabulary, vocabulary.Encode(text), options, rng);
    }

    [Fact]
    public void ACorpusTooShortForOneMinibatchIsRejectedNamingTheOptions()
    {
        var e = Assert.Throws<OptionException>(() => Make(new TrainingOptions { Model = new() { Hidden = 4 }, Optimization = new() { BatchSize = 32, Steps = 35 } }, Text));
        Assert.Contains("{batch_size}", e.Template);
        Assert.Contains("{steps}", e.Template);
    }

    [Fact]
    public void ACorpusOfOneTokenIsOneTokenNotOneTokens()
    {
        var vocabulary = Vocabulary.FromCharacters(Text);
        var options = new TrainingOptions { Model = new() { Hidden = 4 }, Optimization = new() { BatchSize = 2, Steps = 3 } };
        var rng = new Rng(1);
        var e = Assert.Throws<OptionException>(() => new Trainer(Trainer.CreateModel(options, vocabulary.Size, rng), vocabulary, [0], options, rng));
        Assert.StartsWith("The corpus has 1 token, too few", e.Message);
    }

    public static TheoryData<string, TrainingOptions, string> Divergences => new()
    {
        // Initial weights so large that the first minibatch's loss already overflows: no step has been taken.
        { "init", new() { Model = new() { Hidden = 8, Init = "normal:1e30" } }, "at the initial weights before any step: try a smaller {init}" },
        // lr·λ = 3 > 2: every SGD step multiplies the weights by 1 - 3 = -2, whatever the gradients.
        { "weight decay", new() { Model = new() { Hidden = 8 }, Optimization = new() { WeightDecay = 0.03f } }, "try a {weight_decay} below 0.02, above which" },
        // With momentum 0.9 the bound is 2 (1 + 0.9) = 3.8: lr·λ = 5 is past it.
        { "weight decay with momentum", new() { Model = new() { Hidden = 8 }, Optimization = new() { Optimizer = OptimizerKind.Momentum, LearningRate = 10, WeightDecay = 0.5f } }, "try a {weight_decay} below 0.38," },
        { "learning rate", new() { Model = new() { Hidden = 8 }, Optimization = new() { LearningRate = 1e30f, ClipTheta = 1e30f } }, "try a smaller {learning_rate} or {clip_theta}" },
    };

    [Theory]
    [MemberData(nameof(Divergences))]
    public void ADivergedRunNamesTheOptionThatMostLikelyCausedIt(string cause, TrainingOptions options, string remedy)
    {
        options = options with
        {
            Optimization = options.Optimization with { BatchSize = 2, Steps = 4, Epochs = 20 },
            Report = new() { Period = 100 },
        };
        var e = Assert.Throws<TrainingDivergedException>(() => Make(options, Text).Run());
        Assert.True(e.Template!.Contains(remedy, StringComparison.Ordinal), $"{cause}: {e.Template}");
    }

    [Fact]
    public void UnknownPrefixCharactersAreNamed()
    {
        var e = Assert.Throws<RecurrentException>(() =>
            Make(new TrainingOptions { Model = new() { Hidden = 4 }, Optimization = new() { BatchSize = 2, Steps = 3 }, Report = new() { Prefixes = ["分开龘"] } }, Text));
        Assert.Contains("龘", e.Message);
    }

    [Theory]
    [InlineData(Sampling.Random)]
    [InlineData(Sampling.Consecutive)]
    public void ReportsComeEveryPeriodWithPredictionsOfTheRightLength(Sampling sampling)
    {
        var options = new TrainingOptions { Model = new() { Hidden = 8 }, Optimization = new() { BatchSize = 2, Steps = 4, Epochs = 4, Sampling = sampling }, Report = new() { Period = 2, PredictionLength = 5 } };
        var reports = new List<EpochReport>();
        Make(options, Text).Run(reports.Add);
        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Epoch));
        Assert.Empty(reports[0].Predictions);
        Assert.Equal(2, reports[1].Predictions.Count);
        Assert.Equal("分开".Length + 5, reports[1].Predictions[0].Length);
        Assert.StartsWith("不分开", reports[3].Predictions[1]);
        Assert.Matches(@"^epoch 2, perplexity \d+\.\d{6}, time \d+\.\d{2} sec$", reports[1].Line);
    }

    [Fact]
    public void TheSameSeedGivesTheSameRun()
    {
        var options = new TrainingOptions { Model = new() { Hidden = 8 }, Optimization = new() { BatchSize = 2, Steps = 4, Epochs = 3, Sampling = Sampling.Random }, Report = new() { Period = 3 } };
        var a = new List<EpochReport>();
        var b = new List<EpochReport>();
        Make(options, Text).Run(a.Add);
        Make(options, Text).Run(b.Add);
        Assert.Equal(a.Select(r => r.Perplexity), b.Select(r => r.Perplexity));
        Assert.Equal(a[^1].Predictions, b[^1].Predictions);
    }
}
