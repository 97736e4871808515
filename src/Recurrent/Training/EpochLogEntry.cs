namespace Recurrent.Training;

/// <summary>The figures of one epoch, as one line of a training log.</summary>
/// <param name="Epoch">The epoch, counted from 1.</param>
/// <param name="Perplexity">Training perplexity, exp of the mean cross-entropy over the epoch's tokens.</param>
/// <param name="ValidationPerplexity">Perplexity on held-out text, or null when the run has none.</param>
/// <param name="Seconds">Wall-clock time of the epoch.</param>
/// <param name="LearningRate">The learning rate the epoch used.</param>
public sealed record EpochLogEntry(int Epoch, double Perplexity, double? ValidationPerplexity, double Seconds, double LearningRate);
