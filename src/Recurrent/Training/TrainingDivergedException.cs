namespace Recurrent.Training;

/// <summary>
/// Training stopped because the loss or the weights stopped being finite numbers, usually because the learning
/// rate or the clipping threshold is too large, and sometimes the weight decay or the initial weights. It is a user
/// error: its message names the epoch and the option to change.
/// </summary>
/// <remarks>
/// The caller can still report the epoch (a training log writes its perplexity as <c>"NaN"</c> or
/// <c>"Infinity"</c>, and a chart says where the run diverged). Nothing of the diverged epoch should be saved:
/// its weights are not usable.
/// </remarks>
public sealed class TrainingDivergedException : RecurrentException
{
    /// <summary>Creates the error for an epoch.</summary>
    /// <param name="epoch">The epoch in which training diverged, from 1.</param>
    /// <param name="perplexity">What the epoch's perplexity became: NaN or positive infinity.</param>
    /// <param name="learningRate">The learning rate of that epoch.</param>
    /// <param name="seconds">Wall-clock time of the epoch until it stopped.</param>
    /// <param name="template">The sentence for the user, naming options as <c>{key}</c> (see <see cref="RecurrentException.Render(Func{string, string})"/>).</param>
    public TrainingDivergedException(int epoch, double perplexity, float learningRate, double seconds, string template) : base(template, true)
    {
        (Epoch, Perplexity, LearningRate, Seconds) = (epoch, perplexity, learningRate, seconds);
    }

    /// <summary>The epoch in which training diverged, from 1.</summary>
    public int Epoch { get; }

    /// <summary>NaN or positive infinity.</summary>
    public double Perplexity { get; }

    /// <summary>The learning rate of the epoch.</summary>
    public float LearningRate { get; }

    /// <summary>Wall-clock time of the epoch until it stopped.</summary>
    public double Seconds { get; }
}
