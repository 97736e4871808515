using Recurrent.Data;
using Recurrent.Models;

namespace Recurrent.Training;

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

    /// <summary>The recurrent cell: LSTM (the book's), GRU or plain RNN.</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>Number of stacked recurrent layers (the concise model only).</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Size of a learned embedding of the input tokens; 0 feeds one-hot vectors as the book does (concise model only).</summary>
    public int Embedding { get; init; }

    /// <summary>Probability of dropping a unit between layers while training (inverted dropout; concise model only).</summary>
    public float Dropout { get; init; }

    /// <summary>How the weights are drawn: <c>normal:STD</c> (the book: normal:0.01) or <c>uniform:LIMIT</c>; biases start at zero.</summary>
    public string Init { get; init; } = "normal:0.01";

    /// <summary>Characters (the book) or whitespace-separated words with &lt;eos&gt; at line ends.</summary>
    public TokenKind Tokens { get; init; } = TokenKind.Char;

    /// <summary>In word mode, words seen fewer times than this in the training text become &lt;unk&gt;.</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>Hold out this last fraction of the corpus for validation (null: no validation).</summary>
    public double? ValidationFraction { get; init; }

    /// <summary>A separate training text (replaces <see cref="Corpus"/>), for corpora that come split.</summary>
    public string? TrainPath { get; init; }

    /// <summary>A separate validation text.</summary>
    public string? ValidPath { get; init; }

    /// <summary>A separate test text, evaluated once at the end of training.</summary>
    public string? TestPath { get; init; }

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

    /// <summary>The update rule: plain SGD (the book), SGD with momentum, or Adam.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Momentum μ of the momentum optimizer.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Adam's β1.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's β2.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>L2 penalty λ added to the gradient (λ·p), as PyTorch's weight_decay.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Multiply the learning rate by this factor every epoch after <see cref="LrDecayAfter"/> (1: constant).</summary>
    public float LrDecay { get; init; } = 1f;

    /// <summary>The last epoch at the initial learning rate.</summary>
    public int LrDecayAfter { get; init; }

    /// <summary>The book's mean over all T·B predictions, or Zaremba et al.'s sum over the T steps (gradients T times larger).</summary>
    public LossScale LossScale { get; init; } = LossScale.Mean;

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

    /// <summary>The model these options train on a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    public ModelConfiguration ModelFor(int vocabularySize) => new()
    {
        Model = Model,
        VocabularySize = vocabularySize,
        HiddenSize = Hidden,
        CellOutput = CellOutput,
        Cell = Cell,
        Layers = Layers,
        Embedding = Embedding,
        Dropout = Dropout,
        Tokens = Tokens,
    };

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
        if (Layers < 1) throw new RecurrentException($"--layers must be at least 1, not {Layers}.");
        if (Embedding < 0) throw new RecurrentException($"--embedding cannot be negative, not {Embedding}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new RecurrentException($"--dropout must be at least 0 and below 1, not {Dropout}.");
        if (Model == ModelKind.Scratch && (Layers != 1 || Embedding != 0 || Dropout != 0))
            throw new RecurrentException("--layers, --embedding and --dropout need --model concise: the from-scratch models are the book's single layer.");
        if (Cell != CellKind.Lstm && CellOutput != CellOutput.Tanh)
            throw new RecurrentException("--cell-output applies to the LSTM only.");
        if (MinCount < 1) throw new RecurrentException($"--min-count must be at least 1, not {MinCount}.");
        if (ValidationFraction is { } f && !(f > 0 && f < 1)) throw new RecurrentException($"--val-fraction must be between 0 and 1, not {f}.");
        if (ValidationFraction is not null && ValidPath is not null) throw new RecurrentException("--val-fraction and --valid both choose a validation text: give one.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new RecurrentException($"--momentum must be at least 0 and below 1, not {Momentum}.");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new RecurrentException($"--beta1 must be at least 0 and below 1, not {Beta1}.");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new RecurrentException($"--beta2 must be at least 0 and below 1, not {Beta2}.");
        if (!(WeightDecay >= 0) || float.IsInfinity(WeightDecay)) throw new RecurrentException($"--weight-decay cannot be negative, not {WeightDecay}.");
        Initializer.Parse(Init);
        LearningRateSchedule.Validate(LrDecay, LrDecayAfter);
        Training.Optimizer.Create(Optimizer, WeightDecay, Momentum, Beta1, Beta2);
    }
}
