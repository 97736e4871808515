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
public sealed class ScratchLstm : ScratchModel
{
    /// <summary>Creates the model with fresh parameters.</summary>
    public ScratchLstm(int vocabularySize, int hiddenSize, Rng rng, CellOutput cellOutput = CellOutput.Tanh)
        : this(GetParams(vocabularySize, hiddenSize, rng), cellOutput) { }

    /// <summary>Creates the model on existing parameters, in the order of <see cref="ParameterNames"/>.</summary>
    public ScratchLstm(IReadOnlyList<Var> parameters, CellOutput cellOutput = CellOutput.Tanh)
        : base(parameters, ParameterNames, "LSTM") => CellOutput = cellOutput;

    /// <summary>The parameter names, in the book's order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } =
        ["W_xi", "W_hi", "b_i", "W_xf", "W_hf", "b_f", "W_xo", "W_ho", "b_o", "W_xc", "W_hc", "b_c", "W_hq", "b_q"];

    /// <summary>Whether H applies tanh to the memory cell.</summary>
    public CellOutput CellOutput { get; }

    /// <summary>The book's <c>get_params</c>: three weights and a bias per gate and for the candidate cell, then the output layer.</summary>
    public static Var[] GetParams(int vocabularySize, int hiddenSize, Rng rng)
    {
        var p = new BookParameters(rng, ParameterNames, vocabularySize, hiddenSize);
        var (i, f, o, c) = (p.Three(), p.Three(), p.Three(), p.Three());   // input, forget, output gates; candidate cell
        return [.. i, .. f, .. o, .. c, .. p.Output()];
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

    private protected override (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state) =>
        Lstm(inputs, state, Parameters, CellOutput);
}
