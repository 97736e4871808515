using System.Numerics;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The point-wise part of one GRU step for one sequence, forward and backward, on rows of the fused buffers.
/// Conventions: H hidden units; a gate row holds 3H values in PyTorch's order r, z, n (reset, update, candidate).
/// </summary>
/// <remarks>
/// With xp = W_ih x + b_ih and hp = W_hh h + b_hh (each 3H):
/// <code>
/// r = σ(xp_r + hp_r);  z = σ(xp_z + hp_z);  n = tanh(xp_n + r ⊙ hp_n);  h = (1 - z) ⊙ n + z ⊙ hPrev
/// </code>
/// </remarks>
internal static class GruCell
{
    /// <summary>
    /// Replaces the input projections in <paramref name="gates"/> with the activated r, z, n and writes h.
    /// <paramref name="hp"/> is W_hh hPrev + b_hh (3H); only its n part is needed again by <see cref="Backward"/>.
    /// </summary>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        int H = h.Length;
        var rz = gates[..(2 * H)];   // r and z are adjacent: one call each
        Kernels.Add(rz, hp[..(2 * H)], rz);
        Kernels.Sigmoid(rz, rz);
        var r = gates[..H];
        var z = gates.Slice(H, H);
        var n = gates.Slice(2 * H, H);
        Kernels.MultiplyAdd(r, hp.Slice(2 * H, H), n, n);
        Kernels.Tanh(n, n);
        Kernels.Subtract(hPrev, n, h);   // h = n + z ⊙ (hPrev - n), the same as (1 - z) ⊙ n + z ⊙ hPrev
        Kernels.MultiplyAdd(z, h, n, h);
    }

    /// <summary>The scalar reference of <see cref="Forward"/>, element by element in double.</summary>
    public static void ForwardReference(Span<float> gates, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        int H = h.Length;
        for (int k = 0; k < H; k++)
        {
            double r = 1.0 / (1.0 + Math.Exp(-((double)gates[k] + hp[k])));
            double z = 1.0 / (1.0 + Math.Exp(-((double)gates[H + k] + hp[H + k])));
            double n = Math.Tanh(gates[2 * H + k] + r * hp[2 * H + k]);
            (gates[k], gates[H + k], gates[2 * H + k]) = ((float)r, (float)z, (float)n);
            h[k] = (float)((1 - z) * n + z * hPrev[k]);
        }
    }

    /// <summary>
    /// Backward through one step's point-wise part. On entry dh is dL/dh_t; on exit it is the part of dL/dh_{t-1}
    /// that bypasses W_hh (dh ⊙ z), and dxp, dhp hold the gradients of the pre-activations on the input side and on
    /// the hidden side. They differ only in the n part, because r gates hp_n but not xp_n.
    /// </summary>
    /// <param name="gates">r, z, n of the step (3H).</param>
    /// <param name="hpN">hp_n = W_hn hPrev + b_hn (H).</param>
    /// <param name="hPrev">h_{t-1} (H).</param>
    /// <param name="dh">dL/dh_t in, dh ⊙ z out (H).</param>
    /// <param name="dxp">dL/dxp (3H).</param>
    /// <param name="dhp">dL/dhp (3H).</param>
    /// <remarks>
    /// dn = dh ⊙ (1 - z) ⊙ (1 - n²);  dz = dh ⊙ (hPrev - n) ⊙ z(1 - z);  dr = dn ⊙ hp_n ⊙ r(1 - r);
    /// dxp = [dr, dz, dn];  dhp = [dr, dz, dn ⊙ r];  dh ⊙= z.
    /// </remarks>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> hpN, ReadOnlySpan<float> hPrev,
        Span<float> dh, Span<float> dxp, Span<float> dhp)
    {
        int H = dh.Length;
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; k <= H - Vector<float>.Count; k += Vector<float>.Count)
            {
                var r = new Vector<float>(gates[k..]);
                var z = new Vector<float>(gates[(H + k)..]);
                var n = new Vector<float>(gates[(2 * H + k)..]);
                var d = new Vector<float>(dh[k..]);
                var dN = d * (one - z) * (one - n * n);
                var dZ = d * (new Vector<float>(hPrev[k..]) - n) * z * (one - z);
                var dR = dN * new Vector<float>(hpN[k..]) * r * (one - r);
                dR.CopyTo(dxp[k..]); dZ.CopyTo(dxp[(H + k)..]); dN.CopyTo(dxp[(2 * H + k)..]);
                dR.CopyTo(dhp[k..]); dZ.CopyTo(dhp[(H + k)..]); (dN * r).CopyTo(dhp[(2 * H + k)..]);
                (d * z).CopyTo(dh[k..]);
            }
        }
        for (; k < H; k++) BackwardElement(gates, hpN, hPrev, dh, dxp, dhp, k, H);
    }

    /// <summary>The scalar reference of <see cref="Backward"/>, element by element.</summary>
    public static void BackwardReference(ReadOnlySpan<float> gates, ReadOnlySpan<float> hpN, ReadOnlySpan<float> hPrev,
        Span<float> dh, Span<float> dxp, Span<float> dhp)
    {
        for (int k = 0; k < dh.Length; k++) BackwardElement(gates, hpN, hPrev, dh, dxp, dhp, k, dh.Length);
    }

    private static void BackwardElement(ReadOnlySpan<float> gates, ReadOnlySpan<float> hpN, ReadOnlySpan<float> hPrev,
        Span<float> dh, Span<float> dxp, Span<float> dhp, int k, int H)
    {
        float r = gates[k], z = gates[H + k], n = gates[2 * H + k];
        float d = dh[k];
        float dN = d * (1f - z) * (1f - n * n);
        float dZ = d * (hPrev[k] - n) * z * (1f - z);
        float dR = dN * hpN[k] * r * (1f - r);
        (dxp[k], dxp[H + k], dxp[2 * H + k]) = (dR, dZ, dN);
        (dhp[k], dhp[H + k], dhp[2 * H + k]) = (dR, dZ, dN * r);
        dh[k] = d * z;
    }
}
