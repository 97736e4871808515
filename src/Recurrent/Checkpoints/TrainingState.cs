using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Checkpoints;

/// <summary>
/// Where a training run stands after an epoch: everything besides the weights that a resumed run needs to
/// print the same perplexities as the uninterrupted one.
/// </summary>
/// <remarks>
/// The minibatch state is not part of it: every epoch starts from a zero state, so an epoch boundary is a
/// clean cut. What carries over is the weights, the random generator (which shuffles the examples of the next
/// epoch under random sampling) and, for methods that keep one, the optimizer's state.
/// </remarks>
public sealed record TrainingState
{
    /// <summary>The options of the run, as the trainer used them.</summary>
    public required TrainingOptions Options { get; init; }

    /// <summary>The number of epochs completed (the next epoch to train is this plus one).</summary>
    public required int Epoch { get; init; }

    /// <summary>The random generator's state after that epoch (<see cref="Rng.GetState"/>).</summary>
    public required IReadOnlyList<ulong> RngState { get; init; }

    /// <summary>
    /// The SHA-256 of the training text (<see cref="Recurrent.Data.Corpus.Fingerprint"/>), so that a resumed run can check it
    /// reads the same text; null when unknown.
    /// </summary>
    public string? CorpusSha256 { get; init; }

    /// <summary>
    /// The optimizer's state tensors, each named <c>optimizer.{kind}.{parameter name}</c>; empty for plain SGD,
    /// which keeps none.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> OptimizerState { get; init; } = [];

    /// <summary>Where early stopping stood after that epoch (metadata key <c>early_stopping</c>); <see cref="EarlyStopping.None"/> before any report.</summary>
    public EarlyStopping Stopping { get; init; } = EarlyStopping.None;

    /// <summary>A generator in the saved state, to hand to the trainer of the resumed run.</summary>
    public Rng CreateRng()
    {
        var rng = new Rng(0);
        rng.SetState(RngState.ToArray());
        return rng;
    }
}
