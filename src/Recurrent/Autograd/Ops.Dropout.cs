using Recurrent.Tensors;

namespace Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout (Srivastava et al., 2014): while training, each element is zeroed with probability
    /// <paramref name="p"/> and the kept ones are scaled by 1/(1 − p), so the expected value is unchanged and
    /// evaluation needs no rescaling.
    /// </summary>
    /// <remarks>
    /// y = x ⊙ mask with mask_i = 1/(1 − p) when u_i ≥ p and 0 otherwise, where u_i = <see cref="Rng.NextDouble"/>
    /// is drawn for each element in row-major order: the mask is a function of the generator's state, so a
    /// re-seeded generator gives the same mask. Backward: dx += dy ⊙ mask (the same mask).
    /// When not training, or when p = 0, x itself is returned (same values, gradient passes unchanged) and
    /// nothing is drawn, so evaluation does not shift the training run's random stream.
    /// </remarks>
    /// <param name="x">The input.</param>
    /// <param name="p">The probability of dropping an element, in [0, 1).</param>
    /// <param name="rng">The generator of the mask.</param>
    /// <param name="training">False for evaluation and prediction: no dropout.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    public static Var Dropout(Var x, float p, Rng rng, bool training)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), $"The dropout probability must be in [0, 1), not {p}.");
        if (!training || p == 0) return x;

        float scale = (float)(1.0 / (1.0 - p));
        var mask = new float[x.Value.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() >= p ? scale : 0f;
        var y = Tensor.Zeros(x.Value.Shape.ToArray());
        Kernels.Multiply(x.Value.Span, mask, y.Span);
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is { } dX) Kernels.MultiplyAdd(output.Grad!.Span, mask, dX.Span, dX.Span);
        });
    }
}
