using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The GRU written from its gate equations on the autograd API, in the style of the book's "GRU from scratch":
/// parameters from <see cref="GetParams"/>, state from <see cref="InitGruState"/>, the step loop in <see cref="Gru"/>.
/// </summary>
/// <remarks>
/// Conventions: B batch, V vocabulary (the one-hot input size), H hidden units. Per step, with X the B x V input:
/// <code>
/// Z = σ(X W_xz + H W_hz + b_z)                         update gate
/// R = σ(X W_xr + H W_hr + b_r)                         reset gate
/// H~ = tanh(X W_xh + b_h + R ⊙ (H W_hh + b_hh))        candidate hidden state
/// H = Z ⊙ H + (1 - Z) ⊙ H~                             hidden state
/// Y = H W_hq + b_q                                      output
/// </code>
/// The book writes the candidate as tanh(X W_xh + (R ⊙ H) W_hh + b_h): the reset gate before the product.
/// PyTorch and cuDNN apply it after the product, as above, and that is a different function, so this model follows
/// PyTorch, whose weights then map one to one onto the fused <see cref="GruLayer"/> (<see cref="GruLayer.FromScratch"/>).
/// The extra bias b_hh is PyTorch's b_hn, which sits inside R ⊙ (...) and so cannot be folded into b_h.
/// Weights are drawn from N(0, 0.01²), biases are zero.
/// </remarks>
public sealed class ScratchGru : ScratchModel
{
    /// <summary>Creates the model on parameters in the order of <see cref="ParameterNames"/>, fresh ones from <see cref="GetParams"/>.</summary>
    public ScratchGru(IReadOnlyList<Var> parameters) : base(parameters, ParameterNames, "GRU") { }

    /// <summary>The parameter names, in the book's order (update gate, reset gate, candidate, output), with b_hh after b_h.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } =
        ["W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h", "b_hh", "W_hq", "b_q"];

    /// <summary>The book's <c>get_params</c>: two weights and a bias per gate and for the candidate (which has a second bias), then the output layer.</summary>
    public static Var[] GetParams(int vocabularySize, int hiddenSize, Rng rng)
    {
        var p = new BookParameters(rng, ParameterNames, vocabularySize, hiddenSize);
        var (z, r, h) = (p.Three(), p.Three(), p.Three());   // update gate, reset gate, candidate hidden state
        var bHh = p.HiddenBias();
        return [.. z, .. r, .. h, bHh, .. p.Output()];
    }

    /// <summary>The book's <c>init_gru_state</c>: H of zeros, B x H.</summary>
    public static RecurrentState InitGruState(int batchSize, int hiddenSize) =>
        new([Var.Constant(Tensor.Zeros(batchSize, hiddenSize))]);

    /// <inheritdoc />
    public override RecurrentState BeginState(int batchSize) => InitGruState(batchSize, HiddenSize);

    /// <summary>The book's <c>gru(inputs, state, params)</c>: one output Y (B x V) per input X (B x V, or any B x I matching W_x*).</summary>
    public static (List<Var> Outputs, RecurrentState State) Gru(IReadOnlyList<Var> inputs, RecurrentState state, IReadOnlyList<Var> parameters)
    {
        var (W_xz, W_hz, b_z, W_xr, W_hr, b_r) = (parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], parameters[5]);
        var (W_xh, W_hh, b_h, b_hh, W_hq, b_q) = (parameters[6], parameters[7], parameters[8], parameters[9], parameters[10], parameters[11]);
        var H = state.Parts[0];
        var one = Var.Constant(Tensor.Full(1f, H.Value.Shape.ToArray()));   // the 1 of (1 - Z): Ops has no scalar-minus-value
        var outputs = new List<Var>(inputs.Count);
        foreach (var X in inputs)
        {
            var Z = (X.MatMul(W_xz) + H.MatMul(W_hz) + b_z).Sigmoid();
            var R = (X.MatMul(W_xr) + H.MatMul(W_hr) + b_r).Sigmoid();
            var H_tilda = (X.MatMul(W_xh) + b_h + R * (H.MatMul(W_hh) + b_hh)).Tanh();
            H = Z * H + (one - Z) * H_tilda;
            var Y = H.MatMul(W_hq) + b_q;
            outputs.Add(Y);
        }
        return (outputs, new RecurrentState([H]));
    }

    private protected override (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state) =>
        Gru(inputs, state, Parameters);
}
