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

    /// <summary>dz = dh ⊙ (1 - h²), from the step's output h: the tanh's backward, into a cleared dz.</summary>
    public static void Backward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dz)
    {
        dz.Clear();
        Kernels.AccumulateTanhBackward(h, dh, dz);
    }
}
