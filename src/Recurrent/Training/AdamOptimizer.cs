using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>Adam (Kingma and Ba, 2015) with bias correction, in PyTorch's formulation.</summary>
/// <remarks>
/// For step t = 1, 2, … of a parameter, with g' = g + λ·p (L2 weight decay, not AdamW):
/// <code>
/// m ← β1·m + (1 − β1)·g'
/// v ← β2·v + (1 − β2)·g'²
/// p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// which is <c>torch.optim.Adam(lr, betas=(β1, β2), eps=ε, weight_decay=λ)</c>: ε is added after the bias
/// correction of √v, as PyTorch does (the paper's ε̂ differs by that factor). State per parameter:
/// <c>exp_avg</c> (m), <c>exp_avg_sq</c> (v) and <c>step</c> (t, one float, exact up to 2²⁴ steps, as PyTorch
/// also keeps it).
/// </remarks>
public sealed class AdamOptimizer : Optimizer
{
    private static readonly string[] Kinds = ["exp_avg", "exp_avg_sq", "step"];

    /// <summary>Creates the optimizer; the defaults are PyTorch's.</summary>
    /// <param name="beta1">β1, the decay of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">β2, the decay of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">ε &gt; 0, added to the denominator.</param>
    /// <param name="weightDecay">λ, L2 weight decay.</param>
    /// <exception cref="RecurrentException">A hyper-parameter is out of range.</exception>
    public AdamOptimizer(float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f) : base(weightDecay)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new OptionException($"{{{OptimizationOptions.Keys.Beta1}}} must be in [0, 1), not {beta1}.");
        if (!(beta2 >= 0 && beta2 < 1)) throw new OptionException($"{{{OptimizationOptions.Keys.Beta2}}} must be in [0, 1), not {beta2}.");
        if (!(epsilon > 0) || float.IsInfinity(epsilon)) throw new OptionException($"{{epsilon}} must be a positive number, not {epsilon}.");
        (Beta1, Beta2, Epsilon) = (beta1, beta2, epsilon);
    }

    /// <summary>β1.</summary>
    public float Beta1 { get; }

    /// <summary>β2.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <inheritdoc />
    public override string Name => "adam";

    /// <inheritdoc />
    protected override IReadOnlyList<string> StateKinds => Kinds;

    /// <inheritdoc />
    protected override int[] StateShape(string kind, Tensor parameter) => kind == "step" ? [1] : parameter.Shape.ToArray();

    /// <inheritdoc />
    protected override string? CheckLoadedState(string kind, string key, Tensor value) =>
        kind == "step" && (value[0] < 0 || value[0] != MathF.Floor(value[0]))
            ? $"The optimizer state {key} must be a whole number of steps, not {value[0]}."
            : null;

    /// <inheritdoc />
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, Tensor[] state, float learningRate)
    {
        var m = state[0].Span;
        var v = state[1].Span;
        float t = ++state[2][0];
        double correction1 = 1 - Math.Pow(Beta1, t), correction2 = 1 - Math.Pow(Beta2, t);
        float stepSize = (float)(learningRate / correction1);
        float correction2Sqrt = (float)Math.Sqrt(correction2);
        float newWeight1 = 1 - Beta1, newWeight2 = 1 - Beta2;   // the weight of the new gradient in each average
        for (int i = 0; i < parameter.Length; i++)
        {
            float g = gradient[i];
            m[i] += newWeight1 * (g - m[i]);                // β1·m + (1 − β1)·g, as PyTorch's lerp computes it
            v[i] = v[i] * Beta2 + newWeight2 * (g * g);
            float denominator = MathF.Sqrt(v[i]) / correction2Sqrt + Epsilon;
            parameter[i] -= stepSize * (m[i] / denominator);
        }
    }
}
