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
        var operation = new BackwardOperation(gates, hpN, hPrev, dh, dxp, dhp);
        Pointwise.Run(ref operation, dh.Length);
    }

    /// <summary>The formula of <see cref="Backward"/> for the lanes at one index.</summary>
    private readonly ref struct BackwardOperation(ReadOnlySpan<float> gates, ReadOnlySpan<float> hpN, ReadOnlySpan<float> hPrev,
        Span<float> dh, Span<float> dxp, Span<float> dhp) : IPointwiseOperation
    {
        private readonly ReadOnlySpan<float> _gates = gates, _hpN = hpN, _hPrev = hPrev;
        private readonly Span<float> _dh = dh, _dxp = dxp, _dhp = dhp;

        public void Invoke<T>(int k) where T : struct, ILanes<T>
        {
            int H = _dh.Length;
            T one = T.One;
            T r = T.Load(_gates, k), z = T.Load(_gates, H + k), n = T.Load(_gates, 2 * H + k);
            T d = T.Load(_dh, k);
            T dN = d * (one - z) * (one - n * n);
            T dZ = d * (T.Load(_hPrev, k) - n) * z * (one - z);
            T dR = dN * T.Load(_hpN, k) * r * (one - r);
            dR.Store(_dxp, k); dZ.Store(_dxp, H + k); dN.Store(_dxp, 2 * H + k);
            dR.Store(_dhp, k); dZ.Store(_dhp, H + k); (dN * r).Store(_dhp, 2 * H + k);
            (d * z).Store(_dh, k);
        }
    }
}
