using System.Text.Json.Serialization;
using Recurrent.Data;

namespace Recurrent.Training;

/// <summary>
/// How a run fits the model: minibatches, epochs, the update rule and its schedule, clipping and stopping. The
/// defaults are the book's: 160 epochs of consecutive minibatches of 32 sequences of 35 steps, SGD at learning rate
/// 100 with gradients clipped to a global norm of 0.01.
/// </summary>
public sealed record OptimizationOptions
{
    /// <summary>The option keys of this group, as messages and checkpoints name them.</summary>
    public static class Keys
    {
        public const string Sampling = "sampling", Epochs = "epochs", Steps = "steps", BatchSize = "batch_size",
            LearningRate = "learning_rate", Optimizer = "optimizer", Momentum = "momentum", Beta1 = "beta1", Beta2 = "beta2",
            WeightDecay = "weight_decay", LrDecay = "lr_decay", LrDecayAfter = "lr_decay_after", LossScale = "loss_scale",
            ClipTheta = "clip_theta", Seed = "seed", Patience = "patience";
    }

    /// <summary>Random sampling (state reset per minibatch) or consecutive (state carried and detached).</summary>
    [JsonPropertyName(Keys.Sampling)]
    public Sampling Sampling { get; init; } = Sampling.Consecutive;

    /// <summary>Number of passes over the corpus.</summary>
    [JsonPropertyName(Keys.Epochs)]
    public int Epochs { get; init; } = 160;

    /// <summary>T, the number of time steps per example.</summary>
    [JsonPropertyName(Keys.Steps)]
    public int Steps { get; init; } = 35;

    /// <summary>B, the number of examples per minibatch.</summary>
    [JsonPropertyName(Keys.BatchSize)]
    public int BatchSize { get; init; } = 32;

    /// <summary>The learning rate (the book's 100 pairs with its tight clipping threshold).</summary>
    [JsonPropertyName(Keys.LearningRate)]
    public float LearningRate { get; init; } = 100f;

    /// <summary>The update rule: plain SGD (the book), SGD with momentum, or Adam.</summary>
    [JsonPropertyName(Keys.Optimizer)]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Momentum μ of the momentum optimizer.</summary>
    [JsonPropertyName(Keys.Momentum)]
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Adam's β1.</summary>
    [JsonPropertyName(Keys.Beta1)]
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's β2.</summary>
    [JsonPropertyName(Keys.Beta2)]
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>L2 penalty λ added to the gradient (λ·p), as PyTorch's weight_decay.</summary>
    [JsonPropertyName(Keys.WeightDecay)]
    public float WeightDecay { get; init; }

    /// <summary>Multiply the learning rate by this factor every epoch after <see cref="LrDecayAfter"/> (1: constant).</summary>
    [JsonPropertyName(Keys.LrDecay)]
    public float LrDecay { get; init; } = 1f;

    /// <summary>The last epoch at the initial learning rate.</summary>
    [JsonPropertyName(Keys.LrDecayAfter)]
    public int LrDecayAfter { get; init; }

    /// <summary>The book's mean over all T·B predictions, or Zaremba et al.'s sum over the T steps (gradients T times larger).</summary>
    [JsonPropertyName(Keys.LossScale)]
    public LossScale LossScale { get; init; } = LossScale.Mean;

    /// <summary>θ, the global-norm clipping threshold.</summary>
    [JsonPropertyName(Keys.ClipTheta)]
    public float ClipTheta { get; init; } = 0.01f;

    /// <summary>Seed of the initial weights and of random sampling.</summary>
    [JsonPropertyName(Keys.Seed)]
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Stop when the validation perplexity has not improved for this many reports in a row (null: train every epoch).
    /// Needs a validation text.
    /// </summary>
    [JsonPropertyName(Keys.Patience)]
    public int? Patience { get; init; }

    /// <summary>Rejects values that cannot make a run, naming the option by its key.</summary>
    /// <exception cref="OptionException">A value is out of range.</exception>
    public void Validate()
    {
        if (Epochs < 1) throw new OptionException($"{{{Keys.Epochs}}} must be at least 1, not {Epochs}.");
        if (Steps < 1) throw new OptionException($"{{{Keys.Steps}}} must be at least 1, not {Steps}.");
        if (BatchSize < 1) throw new OptionException($"{{{Keys.BatchSize}}} must be at least 1, not {BatchSize}.");
        if (!(LearningRate > 0) || float.IsInfinity(LearningRate)) throw new OptionException($"{{{Keys.LearningRate}}} must be a positive number, not {LearningRate}.");
        if (!(ClipTheta > 0) || float.IsInfinity(ClipTheta)) throw new OptionException($"{{{Keys.ClipTheta}}} must be a positive number, not {ClipTheta}.");
        if (Patience is < 1) throw new OptionException($"{{{Keys.Patience}}} must be at least 1 report, not {Patience}.");
        LearningRateSchedule.Validate(LrDecay, LrDecayAfter);
        // Every optimizer's constants are checked, used or not: a nonsense value is a mistake whichever rule runs.
        _ = new MomentumOptimizer(Momentum, WeightDecay);
        _ = new AdamOptimizer(Beta1, Beta2, weightDecay: WeightDecay);
    }
}
