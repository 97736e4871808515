using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The plain recurrent network written on the autograd API, as in the book's "RNN from scratch": parameters from
/// <see cref="GetParams"/>, state from <see cref="InitRnnState"/>, the step loop in <see cref="Rnn"/>.
/// </summary>
/// <remarks>
/// Conventions: B batch, V vocabulary (the one-hot input size), H hidden units. Per step, with X the B x V input:
/// <code>
/// H = tanh(X W_xh + H W_hh + b_h)      hidden state
/// Y = H W_hq + b_q                     output
/// </code>
/// This is PyTorch's <c>nn.RNN</c> (tanh) with one bias: <see cref="TanhRnnLayer.FromScratch"/> maps it onto the fused
/// layer with W_ih = W_xhᵀ, W_hh = W_hhᵀ, b_ih = b_h and b_hh = 0. Weights are drawn from N(0, 0.01²), biases are zero.
/// </remarks>
public sealed class ScratchRnn : LanguageModel
{
    private readonly Var[] _params;

    /// <summary>Creates the model with fresh parameters.</summary>
    public ScratchRnn(int vocabularySize, int hiddenSize, Rng rng) : this(GetParams(vocabularySize, hiddenSize, rng)) { }

    /// <summary>Creates the model on existing parameters, in the order of <see cref="ParameterNames"/>.</summary>
    public ScratchRnn(IReadOnlyList<Var> parameters)
    {
        if (parameters.Count != ParameterNames.Count) throw new ArgumentException($"The RNN has {ParameterNames.Count} parameters.");
        _params = [.. parameters];
        VocabularySize = _params[0].Value.Rows;
        HiddenSize = _params[0].Value.Columns;
    }

    /// <summary>The parameter names, in the book's order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = ["W_xh", "W_hh", "b_h", "W_hq", "b_q"];

    /// <inheritdoc />
    public override int VocabularySize { get; }

    /// <inheritdoc />
    public override int HiddenSize { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Var> Parameters => _params;

    /// <summary>The book's <c>get_params</c>: the hidden layer's two weights and bias, then the output layer.</summary>
    public static Var[] GetParams(int vocabularySize, int hiddenSize, Rng rng)
    {
        int numInputs = vocabularySize, numHiddens = hiddenSize, numOutputs = vocabularySize;
        int n = 0;
        Var Normal(params int[] shape) => Var.Parameter(Tensor.RandomNormal(rng, 0.01f, shape), ParameterNames[n++]);
        Var Zeros(int size) => Var.Parameter(Tensor.Zeros(size), ParameterNames[n++]);

        var wXh = Normal(numInputs, numHiddens);
        var wHh = Normal(numHiddens, numHiddens);
        var bH = Zeros(numHiddens);
        var wHq = Normal(numHiddens, numOutputs);
        var bQ = Zeros(numOutputs);
        return [wXh, wHh, bH, wHq, bQ];
    }

    /// <summary>The book's <c>init_rnn_state</c>: H of zeros, B x H.</summary>
    public static RecurrentState InitRnnState(int batchSize, int hiddenSize) =>
        new([Var.Constant(Tensor.Zeros(batchSize, hiddenSize))]);

    /// <inheritdoc />
    public override RecurrentState BeginState(int batchSize) => InitRnnState(batchSize, HiddenSize);

    /// <summary>The book's <c>rnn(inputs, state, params)</c>: one output Y (B x V) per input X (B x V, or any B x I matching W_xh).</summary>
    public static (List<Var> Outputs, RecurrentState State) Rnn(IReadOnlyList<Var> inputs, RecurrentState state, IReadOnlyList<Var> parameters)
    {
        var (W_xh, W_hh, b_h, W_hq, b_q) = (parameters[0], parameters[1], parameters[2], parameters[3], parameters[4]);
        var H = state.Parts[0];
        var outputs = new List<Var>(inputs.Count);
        foreach (var X in inputs)
        {
            H = (X.MatMul(W_xh) + H.MatMul(W_hh) + b_h).Tanh();
            var Y = H.MatMul(W_hq) + b_q;
            outputs.Add(Y);
        }
        return (outputs, new RecurrentState([H]));
    }

    /// <summary>
    /// The book's <c>to_onehot(X, vocab_size)</c>: one B x V one-hot matrix per time step, from B x T token indices
    /// (row-major, so step t is column t of X).
    /// </summary>
    public static List<Var> ToOneHot(ReadOnlySpan<int> inputs, int batchSize, int steps, int vocabularySize)
    {
        if (inputs.Length != batchSize * steps) throw new ArgumentException($"{inputs.Length} tokens for {batchSize} sequences of {steps} steps.");
        var oneHots = new List<Var>(steps);
        var column = new int[batchSize];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batchSize; b++) column[b] = inputs[b * steps + t];
            oneHots.Add(Ops.OneHot(column, vocabularySize));
        }
        return oneHots;
    }

    /// <inheritdoc />
    public override (Var Logits, RecurrentState State) Forward(ReadOnlySpan<int> inputs, int batchSize, int steps, RecurrentState state)
    {
        var (outputs, newState) = Rnn(ToOneHot(inputs, batchSize, steps, VocabularySize), state, _params);
        return (Ops.ConcatRows(outputs), newState);
    }
}
