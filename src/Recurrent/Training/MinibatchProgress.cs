using Recurrent.Data;

namespace Recurrent.Training;

/// <summary>Where an epoch stands after one of its minibatches: what a progress display shows.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Minibatch">Minibatches done in this epoch, from 1.</param>
/// <param name="Minibatches">Minibatches in the epoch.</param>
/// <param name="Tokens">Predictions (T x B per minibatch) scored so far in this epoch.</param>
/// <param name="MeanLoss">Mean cross-entropy per token over the epoch so far.</param>
/// <param name="Seconds">Wall-clock time since the epoch began.</param>
public readonly record struct MinibatchProgress(int Epoch, int Minibatch, int Minibatches, long Tokens, double MeanLoss, double Seconds)
{
    /// <summary>Perplexity over the epoch so far, exp(<see cref="MeanLoss"/>): the figure the epoch's line will show.</summary>
    public double Perplexity => Math.Exp(MeanLoss);

    /// <summary>Tokens per second over the epoch so far (0 before any time has passed).</summary>
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
}
