using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A fused plain recurrent layer with tanh (one layer of PyTorch's <c>nn.RNN</c>, its default non-linearity) on the
/// shared <see cref="FusedRecurrentLayer"/> core. Weights use PyTorch's layout, so they map one to one onto
/// <c>torch.nn.RNN</c>.
/// </summary>
/// <remarks>
/// Named for what it computes: "RnnLayer" would read as the layer of <see cref="RnnModel"/>, which is the book's
/// model class and holds an LSTM. Conventions: B batch, T steps, I input size, H hidden units. <c>W_ih</c> is H x I,
/// <c>W_hh</c> H x H, two biases of H, summed into the input projection.
/// <code>
/// H_t = tanh(Xp[t] + H_{t-1} W_hhᵀ)          forward (<see cref="TanhCell.Forward"/>)
/// dZ_t = dH_t ⊙ (1 - H_t²)                  backward (<see cref="TanhCell.Backward"/>)
/// </code>
/// </remarks>
public sealed class TanhRnnLayer : FusedRecurrentLayer
{
    /// <summary>Creates layer k with weights from N(0, std²) and zero biases (the book's <c>init.Normal(0.01)</c>).</summary>
    public TanhRnnLayer(int inputSize, int hiddenSize, Rng rng, float std = 0.01f, int layerIndex = 0)
        : this(RandomParameters(1, inputSize, hiddenSize, rng, std, layerIndex)) { }

    /// <summary>Creates a layer on existing parameters: W_ih (H x I), W_hh (H x H), b_ih and b_hh (H).</summary>
    public TanhRnnLayer(Var weightIH, Var weightHH, Var biasIH, Var biasHH)
        : base(weightIH, weightHH, biasIH, biasHH, gates: 1, stateParts: 1, recurrentApart: false, directHiddenGradient: false, "RNN") { }

    private TanhRnnLayer((Var, Var, Var, Var) p) : this(p.Item1, p.Item2, p.Item3, p.Item4) { }

    /// <summary>
    /// The fused RNN holding the same function as a from-scratch one: W_ih = W_xhᵀ, W_hh = W_hhᵀ, the book's single
    /// bias in b_ih and zeros in b_hh. The output layer W_hq, b_q is not part of the layer.
    /// </summary>
    public static TanhRnnLayer FromScratch(ScratchRnn scratch, int layerIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        var (wih, whh, bih) = LstmLayer.StackGates(scratch.Parameters, [0], scratch.HiddenSize);
        var p = NamedParameters(wih, whh, bih, Tensor.Zeros(scratch.HiddenSize), layerIndex);
        return new TanhRnnLayer(p.WeightIH, p.WeightHH, p.BiasIH, p.BiasHH);
    }

    /// <inheritdoc />
    protected override void CellForward(int t, int b)
    {
        int row = t * Batch + b, H = HiddenSize;
        TanhCell.Forward(Gates.AsSpan(row * H, H), Hidden.AsSpan((row + Batch) * H, H));
    }

    /// <inheritdoc />
    protected override void CellBackward(int t, int b)
    {
        int row = t * Batch + b, H = HiddenSize;
        TanhCell.Backward(Hidden.AsSpan((row + Batch) * H, H), HiddenGradient.AsSpan(b * H, H), GateGradients.AsSpan(row * H, H));
    }
}
