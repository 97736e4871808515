using System.Numerics;
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
        int n = dc.Length;
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; k <= n - Vector<float>.Count; k += Vector<float>.Count)
            {
                var I = new Vector<float>(gates[k..]); var F = new Vector<float>(gates[(n + k)..]);
                var G = new Vector<float>(gates[(2 * n + k)..]); var O = new Vector<float>(gates[(3 * n + k)..]);
                var tc = new Vector<float>(tanhC[k..]);
                var dhk = new Vector<float>(dh[k..]);
                var dO = dhk * tc;
                var dck = new Vector<float>(dc[k..]) + dhk * O * (linear ? one : one - tc * tc);
                (dck * G * I * (one - I)).CopyTo(dz[k..]);
                (dck * new Vector<float>(cPrev[k..]) * F * (one - F)).CopyTo(dz[(n + k)..]);
                (dck * I * (one - G * G)).CopyTo(dz[(2 * n + k)..]);
                (dO * O * (one - O)).CopyTo(dz[(3 * n + k)..]);
                (dck * F).CopyTo(dc[k..]);
            }
        }
        for (; k < n; k++) BackwardElement(gates, cPrev, tanhC, dh, dc, dz, linear, k, n);
    }

    /// <summary>The scalar reference of <see cref="Backward"/>, element by element.</summary>
    public static void BackwardReference(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dz, bool linear)
    {
        for (int k = 0; k < dc.Length; k++) BackwardElement(gates, cPrev, tanhC, dh, dc, dz, linear, k, dc.Length);
    }

    private static void BackwardElement(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dz, bool linear, int k, int n)
    {
        float I = gates[k], F = gates[n + k], G = gates[2 * n + k], O = gates[3 * n + k];
        float tc = tanhC[k];
        float dO = dh[k] * tc;
        float dck = dc[k] + dh[k] * O * (linear ? 1f : 1f - tc * tc);
        dz[k] = dck * G * I * (1f - I);
        dz[n + k] = dck * cPrev[k] * F * (1f - F);
        dz[2 * n + k] = dck * I * (1f - G * G);
        dz[3 * n + k] = dO * O * (1f - O);
        dc[k] = dck * F;
    }
}
