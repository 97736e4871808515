using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The point-wise part of one step of a plain tanh RNN for one sequence: h = tanh(z) forward, dz = dh ⊙ (1 - h²)
/// backward. Conventions: H hidden units; z is the row of Xp[t] + H_{t-1} W_hhᵀ.
/// </summary>
internal static class TanhCell
{
    /// <summary>h = tanh(z), leaving z as it is.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> h) => Kernels.Tanh(z, h);

    /// <summary>dz = dh ⊙ (1 - h²), from the step's output h.</summary>
    public static void Backward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dz)
    {
        var operation = new BackwardOperation(h, dh, dz);
        Pointwise.Run(ref operation, dz.Length);
    }

    private readonly ref struct BackwardOperation(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dz) : IPointwiseOperation
    {
        private readonly ReadOnlySpan<float> _h = h, _dh = dh;
        private readonly Span<float> _dz = dz;

        public void Invoke<T>(int k) where T : struct, ILanes<T>
        {
            T y = T.Load(_h, k);
            (T.Load(_dh, k) * (T.One - y * y)).Store(_dz, k);
        }
    }
}
