using System.Text.Json.Serialization;

namespace Recurrent.Training;

/// <summary>
/// Where early stopping stands: the best validation perplexity so far and how many reports have passed without
/// beating it. A run with a patience of N stops once N reports in a row have not improved; a checkpoint keeps this
/// record (metadata key <c>early_stopping</c>) so that a resumed run counts on from where it stopped.
/// </summary>
public sealed record EarlyStopping
{
    /// <summary>No report seen yet.</summary>
    public static EarlyStopping None { get; } = new();

    /// <summary>The lowest validation perplexity reported so far; null before the first report.</summary>
    [JsonPropertyName("best")]
    public double? Best { get; init; }

    /// <summary>Reports since <see cref="Best"/> was set (0 at the report that set it).</summary>
    [JsonPropertyName("reports_since_best")]
    public int ReportsSinceBest { get; init; }

    /// <summary>The record after a report with validation perplexity <paramref name="perplexity"/>: a lower one is the new best.</summary>
    public EarlyStopping After(double perplexity) =>
        Best is not double best || perplexity < best
            ? new EarlyStopping { Best = perplexity, ReportsSinceBest = 0 }
            : this with { ReportsSinceBest = ReportsSinceBest + 1 };

    /// <summary>Whether a run with this <paramref name="patience"/> (null: none) stops here.</summary>
    public bool Stops(int? patience) => patience is int reports && ReportsSinceBest >= reports;
}
