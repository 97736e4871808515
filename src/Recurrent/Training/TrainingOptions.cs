namespace Recurrent;

/// <summary>Which implementation of the LSTM language model to train.</summary>
public enum ModelKind
{
    /// <summary>The concise model: the fused <see cref="LstmLayer"/> inside <see cref="RnnModel"/>.</summary>
    Concise,

    /// <summary>The from-scratch model on autograd, <see cref="ScratchLstm"/>.</summary>
    Scratch,
}

/// <summary>
/// Everything that defines a training run. The defaults are the book's experiment: the concise LSTM on the
/// first 10,000 characters of the Jay Chou lyrics, trained for 160 epochs.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Built-in corpus name (jaychou, timemachine) or a path to a text or zip file.</summary>
    public string Corpus { get; init; } = "jaychou";

    /// <summary>Keep only the first N characters (null: the corpus default, 10,000 for jaychou, else all).</summary>
    public int? MaxChars { get; init; }

    /// <summary>The concise (fused) or the from-scratch model.</summary>
    public ModelKind Model { get; init; } = ModelKind.Concise;

    /// <summary>Whether H = O ⊙ tanh(C) (the LSTM) or O ⊙ C.</summary>
    public CellOutput CellOutput { get; init; } = CellOutput.Tanh;

    /// <summary>H, the number of hidden units.</summary>
    public int Hidden { get; init; } = 256;

    /// <summary>Random sampling (state reset per minibatch) or consecutive (state carried and detached).</summary>
    public Sampling Sampling { get; init; } = Sampling.Consecutive;

    /// <summary>Number of passes over the corpus.</summary>
    public int Epochs { get; init; } = 160;

    /// <summary>T, the number of time steps per example.</summary>
    public int Steps { get; init; } = 35;

    /// <summary>B, the number of examples per minibatch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The SGD learning rate (the book's 100 pairs with its tight clipping threshold).</summary>
    public float LearningRate { get; init; } = 100f;

    /// <summary>θ, the global-norm clipping threshold.</summary>
    public float ClipTheta { get; init; } = 0.01f;

    /// <summary>Report perplexity and predictions every this many epochs.</summary>
    public int Period { get; init; } = 40;

    /// <summary>How many characters to predict after each prefix.</summary>
    public int PredictionLength { get; init; } = 50;

    /// <summary>Prefixes to predict from at each report.</summary>
    public IReadOnlyList<string> Prefixes { get; init; } = ["分开", "不分开"];

    /// <summary>Seed of the initial weights and of random sampling.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Rejects values that cannot make a run, with one sentence naming the option.</summary>
    public void Validate()
    {
        if (Hidden <= 0) throw new RecurrentException($"--hidden must be a positive number of units, not {Hidden}.");
        if (Epochs < 1) throw new RecurrentException($"--epochs must be at least 1, not {Epochs}.");
        if (Steps < 1) throw new RecurrentException($"--steps must be at least 1, not {Steps}.");
        if (BatchSize < 1) throw new RecurrentException($"--batch-size must be at least 1, not {BatchSize}.");
        if (!(LearningRate > 0) || float.IsInfinity(LearningRate)) throw new RecurrentException($"--lr must be a positive number, not {LearningRate}.");
        if (!(ClipTheta > 0) || float.IsInfinity(ClipTheta)) throw new RecurrentException($"--clip must be a positive number, not {ClipTheta}.");
        if (Period < 1) throw new RecurrentException($"--period must be at least 1, not {Period}.");
        if (PredictionLength < 0) throw new RecurrentException($"--pred-len cannot be negative, not {PredictionLength}.");
        if (MaxChars is < 1) throw new RecurrentException($"--max-chars must be at least 1, not {MaxChars}.");
        if (Prefixes.Any(p => p.Length == 0)) throw new RecurrentException("--prefix cannot be empty.");
    }
}
