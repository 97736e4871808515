using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The point-wise part of one LSTM step for one sequence, forward and backward, on rows of the fused gate
/// buffer. Conventions: H hidden units; a gate row holds 4H values in the order i, f, g, o (g is the book's
/// candidate cell C~), already passed through their non-linearities.
/// </summary>
internal static class LstmCell
{
    /// <summary>
    /// Applies the gate non-linearities in place and updates the cell:
    /// I, F, O = σ(z), G = tanh(z); c = F ⊙ cPrev + I ⊙ G; tc = tanh(c) (or c when linear); h = O ⊙ tc.
    /// </summary>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h,
        bool linear)
    {
        int n = c.Length;
        var i = gates[..n];
        var f = gates.Slice(n, n);
        var g = gates.Slice(2 * n, n);
        var o = gates.Slice(3 * n, n);
        Kernels.Sigmoid(gates[..(2 * n)], gates[..(2 * n)]);   // i and f are adjacent: one call
        Kernels.Tanh(g, g);
        Kernels.Sigmoid(o, o);
        Kernels.Multiply(f, cPrev, c);
        Kernels.MultiplyAdd(i, g, c, c);
        if (linear) c.CopyTo(tanhC);
        else Kernels.Tanh(c, tanhC);
        Kernels.Multiply(o, tanhC, h);
    }

    /// <summary>
    /// Backward through one step's point-wise part. On entry dh is dL/dh_t and dc is dL/dc_t from later steps;
    /// on exit dc is dL/dc_{t-1} (through the forget gate) and dz holds dL/dz for the four gates' pre-activations.
    /// </summary>
    /// <remarks>
    /// dO = dh ⊙ tc; dc += dh ⊙ O ⊙ (1 - tc²) (dh ⊙ O when linear); dF = dc ⊙ cPrev; dI = dc ⊙ G; dG = dc ⊙ I;
    /// dz = [dI ⊙ I(1-I), dF ⊙ F(1-F), dG ⊙ (1-G²), dO ⊙ O(1-O)]; then dc ⊙= F.
    /// </remarks>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dz, bool linear)
    {
        var operation = new BackwardOperation(gates, cPrev, tanhC, dh, dc, dz, linear);
        Pointwise.Run(ref operation, dc.Length);
    }

    /// <summary>The formula of <see cref="Backward"/> for the lanes at one index.</summary>
    private readonly ref struct BackwardOperation(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dz, bool linear) : IPointwiseOperation
    {
        private readonly ReadOnlySpan<float> _gates = gates, _cPrev = cPrev, _tanhC = tanhC, _dh = dh;
        private readonly Span<float> _dc = dc, _dz = dz;

        public void Invoke<T>(int k) where T : struct, ILanes<T>
        {
            int n = _dc.Length;
            T one = T.One;
            T I = T.Load(_gates, k), F = T.Load(_gates, n + k), G = T.Load(_gates, 2 * n + k), O = T.Load(_gates, 3 * n + k);
            T tc = T.Load(_tanhC, k), d = T.Load(_dh, k);
            T dO = d * tc;
            T dck = T.Load(_dc, k) + d * O * (linear ? one : one - tc * tc);
            (dck * G * I * (one - I)).Store(_dz, k);
            (dck * T.Load(_cPrev, k) * F * (one - F)).Store(_dz, n + k);
            (dck * I * (one - G * G)).Store(_dz, 2 * n + k);
            (dO * O * (one - O)).Store(_dz, 3 * n + k);
            (dck * F).Store(_dc, k);
        }
    }
}
