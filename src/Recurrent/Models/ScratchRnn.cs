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
public sealed class ScratchRnn : ScratchModel
{
    /// <summary>Creates the model on parameters in the order of <see cref="ParameterNames"/>, fresh ones from <see cref="GetParams"/>.</summary>
    public ScratchRnn(IReadOnlyList<Var> parameters) : base(parameters, ParameterNames, "RNN") { }

    /// <summary>The parameter names, in the book's order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = ["W_xh", "W_hh", "b_h", "W_hq", "b_q"];

    /// <summary>The book's <c>get_params</c>: the hidden layer's two weights and bias, then the output layer.</summary>
    public static Var[] GetParams(int vocabularySize, int hiddenSize, Rng rng)
    {
        var p = new BookParameters(rng, ParameterNames, vocabularySize, hiddenSize);
        return [.. p.Three(), .. p.Output()];   // W_xh, W_hh, b_h have the shapes of a gate's three
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

    private protected override (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state) =>
        Rnn(inputs, state, Parameters);
}
