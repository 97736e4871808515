namespace Recurrent.Tests.Checkpoints;

/// <summary>Small models, vocabularies and checkpoints shared by the checkpoint and generation tests.</summary>
internal static class CheckpointFixtures
{
    /// <summary>A short corpus with 11 distinct characters, long enough for a few minibatches of 2 x 4.</summary>
    public const string Text = "分开 不分开 我想要 你的 微笑 分开 不分开 我想要 你的 微笑 " + "想要你的微笑 分开不分开";

    public static Vocabulary Vocab { get; } = Vocabulary.FromCharacters(Text);

    /// <summary>A model whose weights are large enough (N(0, 1)) that its predictions vary from step to step.</summary>
    public static LanguageModel Model(ModelKind kind, int hidden = 6, ulong seed = 3, CellOutput cellOutput = CellOutput.Tanh)
    {
        var rng = new Rng(seed);
        var model = new ModelConfiguration { Model = kind, VocabularySize = Vocab.Size, HiddenSize = hidden, CellOutput = cellOutput }.Create(rng);
        foreach (var p in model.Parameters) rng.FillNormal(p.Value.Span, 0f, 1f);
        return model;
    }

    /// <summary>A model trained on <see cref="Text"/> until its greedy predictions follow the text rather than repeat one token.</summary>
    public static LanguageModel Trained(ModelKind kind, int epochs = 60)
    {
        var options = new TrainingOptions { Model = new() { Kind = kind, Hidden = 16 }, Optimization = new() { BatchSize = 2, Steps = 4, Epochs = epochs, LearningRate = 2f, ClipTheta = 1f }, Report = new() { Period = epochs + 1 } };
        var rng = new Rng(5);
        var model = Trainer.CreateModel(options, Vocab.Size, rng);
        new Trainer(model, Vocab, Vocab.Encode(Text), options, rng).Run();
        return model;
    }

    /// <summary>The bytes of a checkpoint of <paramref name="model"/>.</summary>
    public static byte[] Bytes(LanguageModel model, TrainingState? training = null)
    {
        var stream = new MemoryStream();
        new Checkpoint(model, Vocab, training).Save(stream);
        return stream.ToArray();
    }

    public static TrainingState TrainingAt(ModelKind kind, int hidden = 6) => new()
    {
        Options = new TrainingOptions { Model = new() { Kind = kind, Hidden = hidden }, Optimization = new() { BatchSize = 2, Steps = 4, Epochs = 5, Sampling = Sampling.Random, LearningRate = 1.5f } },
        Epoch = 2,
        RngState = new Rng(42).GetState(),
        CorpusSha256 = Corpus.Fingerprint(Text),
    };

    public static Checkpoint Load(byte[] bytes, string source = "test.safetensors") =>
        Checkpoint.Load(new MemoryStream(bytes, writable: false), source);

    public static int[] Bits(Tensor t) => t.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
