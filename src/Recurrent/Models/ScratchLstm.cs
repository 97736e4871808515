using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The LSTM written from its gate equations on the autograd API, line for line as in the book's
/// "LSTM from scratch": parameters from <see cref="GetParams"/>, state from <see cref="InitLstmState"/>,
/// the step loop in <see cref="Lstm"/>.
/// </summary>
/// <remarks>
/// Conventions: B batch, V vocabulary (the one-hot input size), H hidden units. Per step, with X the B x V one-hot input:
/// <code>
/// I = σ(X W_xi + H W_hi + b_i)          input gate
/// F = σ(X W_xf + H W_hf + b_f)          forget gate
/// O = σ(X W_xo + H W_ho + b_o)          output gate
/// C~ = tanh(X W_xc + H W_hc + b_c)      candidate memory cell
/// C = F ⊙ C + I ⊙ C~                    memory cell
/// H = O ⊙ tanh(C)                        hidden state (O ⊙ C with CellOutput.Linear)
/// Y = H W_hq + b_q                       output
/// </code>
/// Weights are drawn from N(0, 0.01²), biases are zero. This model is also the oracle for the fused <see cref="RnnModel"/>.
/// </remarks>
public sealed class ScratchLstm : LanguageModel
{
    private readonly Var[] _params;

    /// <summary>Creates the model with fresh parameters.</summary>
    public ScratchLstm(int vocabularySize, int hiddenSize, Rng rng, CellOutput cellOutput = CellOutput.Tanh)
        : this(GetParams(vocabularySize, hiddenSize, rng), cellOutput) { }

    /// <summary>Creates the model on existing parameters, in the order of <see cref="ParameterNames"/>.</summary>
    public ScratchLstm(IReadOnlyList<Var> parameters, CellOutput cellOutput = CellOutput.Tanh)
    {
        if (parameters.Count != ParameterNames.Count) throw new ArgumentException($"The LSTM has {ParameterNames.Count} parameters.");
        _params = [.. parameters];
        VocabularySize = _params[0].Value.Rows;
        HiddenSize = _params[0].Value.Columns;
        CellOutput = cellOutput;
    }

    /// <summary>The parameter names, in the book's order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } =
        ["W_xi", "W_hi", "b_i", "W_xf", "W_hf", "b_f", "W_xo", "W_ho", "b_o", "W_xc", "W_hc", "b_c", "W_hq", "b_q"];

    /// <inheritdoc />
    public override int VocabularySize { get; }

    /// <inheritdoc />
    public override int HiddenSize { get; }

    /// <summary>Whether H applies tanh to the memory cell.</summary>
    public CellOutput CellOutput { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Var> Parameters => _params;

    /// <summary>The book's <c>get_params</c>: three weights and a bias per gate and for the candidate cell, then the output layer.</summary>
    public static Var[] GetParams(int vocabularySize, int hiddenSize, Rng rng)
    {
        int numInputs = vocabularySize, numHiddens = hiddenSize, numOutputs = vocabularySize;
        int n = 0;
        Var Normal(params int[] shape) => Var.Parameter(Tensor.RandomNormal(rng, 0.01f, shape), ParameterNames[n++]);
        Var Zeros(int size) => Var.Parameter(Tensor.Zeros(size), ParameterNames[n++]);
        Var[] Three() => [Normal(numInputs, numHiddens), Normal(numHiddens, numHiddens), Zeros(numHiddens)];

        var (i, f, o, c) = (Three(), Three(), Three(), Three());   // input, forget, output gates; candidate cell
        var wHq = Normal(numHiddens, numOutputs);
        var bQ = Zeros(numOutputs);
        return [.. i, .. f, .. o, .. c, wHq, bQ];
    }

    /// <summary>The book's <c>init_lstm_state</c>: H and C of zeros, each B x H.</summary>
    public static RecurrentState InitLstmState(int batchSize, int hiddenSize) =>
        new([Var.Constant(Tensor.Zeros(batchSize, hiddenSize)), Var.Constant(Tensor.Zeros(batchSize, hiddenSize))]);

    /// <inheritdoc />
    public override RecurrentState BeginState(int batchSize) => InitLstmState(batchSize, HiddenSize);

    /// <summary>The book's <c>lstm(inputs, state, params)</c>: one output Y (B x V) per input X (B x V).</summary>
    public static (List<Var> Outputs, RecurrentState State) Lstm(IReadOnlyList<Var> inputs, RecurrentState state,
        IReadOnlyList<Var> parameters, CellOutput cellOutput = CellOutput.Tanh)
    {
        var (W_xi, W_hi, b_i, W_xf, W_hf, b_f) = (parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], parameters[5]);
        var (W_xo, W_ho, b_o, W_xc, W_hc, b_c) = (parameters[6], parameters[7], parameters[8], parameters[9], parameters[10], parameters[11]);
        var (W_hq, b_q) = (parameters[12], parameters[13]);
        var (H, C) = (state.Parts[0], state.Parts[1]);
        var outputs = new List<Var>(inputs.Count);
        foreach (var X in inputs)
        {
            var I = (X.MatMul(W_xi) + H.MatMul(W_hi) + b_i).Sigmoid();
            var F = (X.MatMul(W_xf) + H.MatMul(W_hf) + b_f).Sigmoid();
            var O = (X.MatMul(W_xo) + H.MatMul(W_ho) + b_o).Sigmoid();
            var C_tilda = (X.MatMul(W_xc) + H.MatMul(W_hc) + b_c).Tanh();
            C = F * C + I * C_tilda;
            H = cellOutput == CellOutput.Tanh ? O * C.Tanh() : O * C;
            var Y = H.MatMul(W_hq) + b_q;
            outputs.Add(Y);
        }
        return (outputs, new RecurrentState([H, C]));
    }

    /// <inheritdoc />
    public override (Var Logits, RecurrentState State) Forward(ReadOnlySpan<int> inputs, int batchSize, int steps, RecurrentState state)
    {
        // The book's to_onehot(X, vocab_size): one B x V one-hot matrix per time step (the columns of X).
        var oneHots = new List<Var>(steps);
        var column = new int[batchSize];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batchSize; b++) column[b] = inputs[b * steps + t];
            oneHots.Add(Ops.OneHot(column, VocabularySize));
        }
        var (outputs, newState) = Lstm(oneHots, state, _params, CellOutput);
        return (Ops.ConcatRows(outputs), newState);
    }
}
