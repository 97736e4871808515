using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// What the models written from their equations (<see cref="ScratchLstm"/>, <see cref="ScratchGru"/>,
/// <see cref="ScratchRnn"/>) share: their parameters in the book's order, the book's <c>to_onehot</c>, and a forward
/// pass that runs the model's own step loop over the one-hot inputs. Each model writes only its <c>get_params</c>,
/// its state and its step loop.
/// </summary>
/// <remarks>Conventions: B batch, T steps, V vocabulary (the one-hot input size), H hidden units.</remarks>
public abstract class ScratchModel : LanguageModel
{
    private readonly Var[] _params;

    /// <summary>Holds <paramref name="parameters"/>, named <paramref name="names"/>; the first is the V x H input weight.</summary>
    private protected ScratchModel(IReadOnlyList<Var> parameters, IReadOnlyList<string> names, string model)
    {
        if (parameters.Count != names.Count) throw new ArgumentException($"The {model} has {names.Count} parameters.", nameof(parameters));
        _params = [.. parameters];
        VocabularySize = _params[0].Value.Rows;
        HiddenSize = _params[0].Value.Columns;
    }

    /// <inheritdoc />
    public override int VocabularySize { get; }

    /// <inheritdoc />
    public override int HiddenSize { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Var> Parameters => _params;

    /// <summary>The model's step loop (the book's <c>lstm</c>, <c>gru</c> or <c>rnn</c>) on its own parameters: one output Y (B x V) per input X.</summary>
    private protected abstract (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state);

    /// <inheritdoc />
    public override (Var Logits, RecurrentState State) Forward(ReadOnlySpan<int> inputs, int batchSize, int steps, RecurrentState state)
    {
        var (outputs, newState) = Steps(ToOneHot(inputs, batchSize, steps, VocabularySize), state);
        return (Ops.ConcatRows(outputs), newState);
    }

    /// <summary>
    /// The book's <c>to_onehot(X, vocab_size)</c>: one B x V one-hot matrix per time step, from B x T token indices
    /// (row-major, so step t is column t of X).
    /// </summary>
    public static List<Var> ToOneHot(ReadOnlySpan<int> inputs, int batchSize, int steps, int vocabularySize)
    {
        if (inputs.Length != batchSize * steps) throw new ArgumentException($"{inputs.Length} tokens for {batchSize} sequences of {steps} steps.", nameof(inputs));
        var oneHots = new List<Var>(steps);
        var column = new int[batchSize];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batchSize; b++) column[b] = inputs[b * steps + t];
            oneHots.Add(Ops.OneHot(column, vocabularySize));
        }
        return oneHots;
    }

    /// <summary>
    /// Draws parameters as the book's <c>get_params</c> does, in order and named from the model's list: weights from
    /// N(0, 0.01²), biases zero; the inputs and outputs are one-hot over the V tokens.
    /// </summary>
    private protected sealed class BookParameters(Rng rng, IReadOnlyList<string> names, int vocabularySize, int hiddenSize)
    {
        private readonly int numInputs = vocabularySize, numHiddens = hiddenSize, numOutputs = vocabularySize;
        private int _next;

        private Var Normal(params int[] shape) => Var.Parameter(Tensor.RandomNormal(rng, 0.01f, shape), names[_next++]);

        /// <summary>A bias of H zeros.</summary>
        public Var HiddenBias() => Var.Parameter(Tensor.Zeros(numHiddens), names[_next++]);

        /// <summary>The book's <c>_three()</c>: a gate's input weight (V x H), hidden weight (H x H) and bias (H).</summary>
        public Var[] Three() => [Normal(numInputs, numHiddens), Normal(numHiddens, numHiddens), HiddenBias()];

        /// <summary>The output layer: W_hq (H x V) and b_q (V).</summary>
        public Var[] Output() => [Normal(numHiddens, numOutputs), Var.Parameter(Tensor.Zeros(numOutputs), names[_next++])];
    }
}
