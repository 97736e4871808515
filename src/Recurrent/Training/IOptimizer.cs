using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>
/// Updates parameters from their gradients, keeping whatever per-parameter state the method needs
/// (a velocity, moment estimates) under names a checkpoint can store.
/// </summary>
/// <remarks>
/// The caller zeroes the gradients, runs backward and clips before <see cref="Step"/>; the optimizer only reads
/// <see cref="Var.Grad"/> (it never changes it) and writes <see cref="Var.Value"/>. State tensors are named
/// <c>optimizer.{kind}.{parameter name}</c>, for example <c>optimizer.exp_avg.rnn.weight_hh_l0</c>, with
/// PyTorch's kinds (<c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>step</c>).
/// </remarks>
public interface IOptimizer
{
    /// <summary>The method's name as the CLI spells it (<c>sgd</c>, <c>momentum</c>, <c>adam</c>).</summary>
    string Name { get; }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    /// <param name="parameters">The parameters, each with a unique <see cref="Var.Name"/> when the method keeps state.</param>
    /// <param name="learningRate">The rate of this step (a schedule may change it from step to step).</param>
    void Step(IReadOnlyList<Var> parameters, float learningRate);

    /// <summary>
    /// A copy of the state, named as described above, in the order the parameters were first seen; empty for
    /// a method without state or before the first step.
    /// </summary>
    IReadOnlyList<KeyValuePair<string, Tensor>> State { get; }

    /// <summary>
    /// Replaces the state with a copy of the entries of <paramref name="state"/> whose names start with
    /// <c>optimizer.</c> (other entries, such as model weights of the same checkpoint, are ignored), checking
    /// them against <paramref name="parameters"/>.
    /// </summary>
    /// <exception cref="RecurrentException">
    /// An entry is of a kind this method does not keep, names no parameter, has the wrong shape or a value that is
    /// not finite, or a parameter has only part of its state.
    /// </exception>
    void LoadState(IEnumerable<KeyValuePair<string, Tensor>> state, IReadOnlyList<Var> parameters);
}
