using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A fused GRU layer (one layer of PyTorch's <c>nn.GRU</c>) on the shared <see cref="FusedRecurrentLayer"/> core.
/// Weights follow PyTorch's formulation and layout, so they map one to one onto <c>torch.nn.GRU</c>.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, I input size, H hidden units; gate order r, z, n (reset, update, candidate).
/// <c>W_ih</c> is 3H x I, <c>W_hh</c> 3H x H, two biases of 3H: b_ih goes into Xp, b_hh into Hp, kept apart.
/// <code>
/// Hp = H_{t-1} W_hhᵀ + b_hh                         (B x 3H)   the core's per-step GEMM
/// r = σ(Xp_r + Hp_r);  z = σ(Xp_z + Hp_z)
/// n = tanh(Xp_n + r ⊙ Hp_n)                         b_hn sits inside the reset gate
/// H_t = (1 - z) ⊙ n + z ⊙ H_{t-1}
/// </code>
/// The book's from-scratch GRU applies the reset gate before the matrix product, tanh(X W_xh + (R ⊙ H) W_hh + b_h);
/// PyTorch and cuDNN apply it after, r ⊙ (H W_hn + b_hn), which lets one GEMM serve all three gates. The two are
/// different functions, not two layouts of one; this layer (and <see cref="ScratchGru"/>) follows PyTorch, so that
/// weights map one to one. Backward (<see cref="GruCell.Backward"/>): dXp = [dr, dz, dn], dHp = [dr, dz, r ⊙ dn],
/// and z ⊙ dH_t passes straight to dH_{t-1}.
/// </remarks>
public sealed class GruLayer : FusedRecurrentLayer
{
    private const int Gates3 = 3;

    /// <summary>Creates layer k with weights from N(0, std²) and zero biases (the book's <c>init.Normal(0.01)</c>).</summary>
    public GruLayer(int inputSize, int hiddenSize, Rng rng, float std = 0.01f, int layerIndex = 0)
        : this(RandomParameters(Gates3, inputSize, hiddenSize, rng, std, layerIndex)) { }

    /// <summary>Creates a layer on existing parameters: W_ih (3H x I), W_hh (3H x H), b_ih and b_hh (3H).</summary>
    public GruLayer(Var weightIH, Var weightHH, Var biasIH, Var biasHH)
        : base(weightIH, weightHH, biasIH, biasHH, Gates3, stateParts: 1, recurrentApart: true, directHiddenGradient: true, "GRU") { }

    private GruLayer((Var, Var, Var, Var) p) : this(p.Item1, p.Item2, p.Item3, p.Item4) { }

    /// <summary>
    /// The fused GRU holding the same function as a from-scratch one: the gate weights stacked in the order
    /// r, z, n and transposed; b_r, b_z, b_h in b_ih; the scratch model's b_hh (inside the reset gate) in the n part of
    /// b_hh, whose r and z parts are zero. The output layer W_hq, b_q is not part of the layer.
    /// </summary>
    public static GruLayer FromScratch(ScratchGru scratch, int layerIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        var p = scratch.Parameters;
        int H = scratch.HiddenSize;
        // Book order of parameter triples: z (0), r (3), candidate (6); PyTorch gate order: r, z, n.
        var (wih, whh, bih) = LstmLayer.StackGates(p, [3, 0, 6], H);
        var bhh = Tensor.Zeros(3 * H);
        p[9].Value.Span.CopyTo(bhh.Span.Slice(2 * H, H));
        var named = NamedParameters(wih, whh, bih, bhh, layerIndex);
        return new GruLayer(named.WeightIH, named.WeightHH, named.BiasIH, named.BiasHH);
    }

    /// <inheritdoc />
    protected override void CellForward(int t, int b)
    {
        int row = t * Batch + b, H = HiddenSize, G = Width;
        GruCell.Forward(Gates.AsSpan(row * G, G), RecurrentProjections.AsSpan(row * G, G), Hidden.AsSpan(row * H, H),
            Hidden.AsSpan((row + Batch) * H, H));
    }

    /// <inheritdoc />
    protected override void CellBackward(int t, int b)
    {
        int row = t * Batch + b, H = HiddenSize, G = Width;
        GruCell.Backward(Gates.AsSpan(row * G, G), RecurrentProjections.AsSpan(row * G + 2 * H, H), Hidden.AsSpan(row * H, H),
            HiddenGradient.AsSpan(b * H, H), GateGradients.AsSpan(row * G, G), RecurrentGradients.AsSpan(row * G, G));
    }
}
