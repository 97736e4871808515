namespace Recurrent.Training;

/// <summary>One line of the book's training report.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Perplexity">exp(mean cross-entropy per token) over the epoch.</param>
/// <param name="Seconds">Wall-clock time of the epoch's training (predictions excluded).</param>
/// <param name="Predictions">At a report period, the prediction for each prefix (prefix included); otherwise empty.</param>
public sealed record EpochReport(int Epoch, double Perplexity, double Seconds, IReadOnlyList<string> Predictions)
{
    /// <summary>Perplexity on the held-out text at a report period, with the state carried across it; null without validation.</summary>
    public double? ValidationPerplexity { get; init; }

    /// <summary>Whether the run stops after this epoch because the validation perplexity has not improved for the patience's reports.</summary>
    public bool StopsEarly { get; init; }

    /// <summary>The learning rate the epoch trained with.</summary>
    public float LearningRate { get; init; }

    /// <summary>The book's line, <c>epoch 40, perplexity 208.989478, time 1.27 sec</c>, with the validation perplexity after the training one when there is one.</summary>
    public string Line => ValidationPerplexity is double v
        ? FormattableString.Invariant($"epoch {Epoch}, perplexity {Perplexity:F6}, validation perplexity {v:F6}, time {Seconds:F2} sec")
        : FormattableString.Invariant($"epoch {Epoch}, perplexity {Perplexity:F6}, time {Seconds:F2} sec");
}
