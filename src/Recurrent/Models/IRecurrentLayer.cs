using Recurrent.Autograd;

namespace Recurrent.Models;

/// <summary>
/// One fused recurrent layer (LSTM, GRU or plain RNN): T steps in one call, with a hand-derived backward pass
/// through time. Layers share this shape so that a model can stack them, feed them one-hot tokens or dense
/// vectors (an embedding, or the layer below), and name their parameters the way PyTorch does.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, I input size (the vocabulary for one-hot input), H hidden units.
/// Inputs and outputs are time-major: row t·B + b is sequence b at step t. Parameters are named
/// <c>rnn.weight_ih_l{k}</c>, <c>rnn.weight_hh_l{k}</c>, <c>rnn.bias_ih_l{k}</c>, <c>rnn.bias_hh_l{k}</c> for layer k,
/// with PyTorch's layouts, so a checkpoint loads into <c>torch.nn.LSTM</c>, <c>nn.GRU</c> or <c>nn.RNN</c>.
/// The state handed in is read as a constant: gradients stop at step 0, as truncated backpropagation through
/// time between minibatches wants. A layer keeps its activations for one backward: run forward again only after
/// the previous result's backward (or when no gradient is needed).
/// </remarks>
public interface IRecurrentLayer
{
    /// <summary>I, the input size (the vocabulary for one-hot input).</summary>
    int InputSize { get; }

    /// <summary>H, the number of hidden units.</summary>
    int HiddenSize { get; }

    /// <summary>The four parameters in PyTorch's order: W_ih, W_hh, b_ih, b_hh.</summary>
    IReadOnlyList<Var> Parameters { get; }

    /// <summary>A zero state for <paramref name="batchSize"/> sequences: (H, C) for an LSTM, (H) for a GRU or an RNN, each B x H.</summary>
    RecurrentState BeginState(int batchSize);

    /// <summary>Runs T steps over one-hot tokens: the input product is a gather of W_ih's columns.</summary>
    /// <param name="tokens">T·B token indices in 0..I-1, time-major (index t·B + b).</param>
    /// <param name="batchSize">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="state">The state to start from (see <see cref="BeginState"/>).</param>
    /// <returns>The hidden states of all steps, (T·B) x H time-major, and the state after the last step.</returns>
    (Var Outputs, RecurrentState State) Forward(ReadOnlySpan<int> tokens, int batchSize, int steps, RecurrentState state);

    /// <summary>Runs T steps over dense input vectors; the gradient flows into <paramref name="inputs"/> too.</summary>
    /// <param name="inputs">(T·B) x I, time-major.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="state">The state to start from (see <see cref="BeginState"/>).</param>
    /// <returns>The hidden states of all steps, (T·B) x H time-major, and the state after the last step.</returns>
    (Var Outputs, RecurrentState State) Forward(Var inputs, int batchSize, int steps, RecurrentState state);
}
