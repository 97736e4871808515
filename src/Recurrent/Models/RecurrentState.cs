using Recurrent.Autograd;

namespace Recurrent.Models;

/// <summary>
/// The recurrent state carried between steps and minibatches: for an LSTM, the hidden state H and the
/// memory cell C, each B x H.
/// </summary>
public sealed class RecurrentState(IReadOnlyList<Var> parts)
{
    /// <summary>The state tensors (H, C for an LSTM).</summary>
    public IReadOnlyList<Var> Parts { get; } = parts;

    /// <summary>The same values cut from the graph, so the next minibatch does not backpropagate into this one.</summary>
    public RecurrentState Detach() => new(Parts.Select(p => p.Detach()).ToArray());
}
