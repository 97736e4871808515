using System.Text.Json.Serialization;

namespace Recurrent.Training;

/// <summary>What the training loss is: a mean over every prediction of the minibatch, or a sum over its steps.</summary>
/// <remarks>
/// With B examples of T steps and cross-entropies ℓ_{t,b}:
/// <code>
/// Mean:      L = (1 / (T·B)) Σ_t Σ_b ℓ_{t,b}                  (the book; factor 1)
/// SumSteps:  L = Σ_t (1 / B) Σ_b ℓ_{t,b}  = T · Mean         (Zaremba et al., 2014; factor T)
/// </code>
/// Only the gradient changes (by the factor T), so the learning rate and the clipping threshold that suit one
/// do not suit the other: Zaremba's lr = 1 and clip 5 are for SumSteps. Perplexity is computed from the mean
/// either way.
/// </remarks>
public enum LossScale
{
    /// <summary>The mean cross-entropy over all T·B predictions (the book).</summary>
    [JsonStringEnumMemberName("mean")]
    Mean,

    /// <summary>The sum over the T steps of the mean over the batch, i.e. the mean times T (Zaremba et al.).</summary>
    [JsonStringEnumMemberName("sum_steps")]
    SumSteps,
}

/// <summary>The factor that turns the mean cross-entropy into the loss a <see cref="LossScale"/> asks for.</summary>
public static class LossScaleExtensions
{
    /// <summary>1 for <see cref="LossScale.Mean"/>, T for <see cref="LossScale.SumSteps"/>: loss = factor · mean cross-entropy.</summary>
    /// <param name="scale">The loss scale.</param>
    /// <param name="steps">T, the number of steps per example.</param>
    public static float Factor(this LossScale scale, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return scale switch
        {
            LossScale.Mean => 1f,
            LossScale.SumSteps => steps,
            _ => throw new ArgumentOutOfRangeException(nameof(scale)),
        };
    }
}
