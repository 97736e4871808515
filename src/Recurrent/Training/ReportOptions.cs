using System.Text.Json.Serialization;
namespace Recurrent.Training;

/// <summary>
/// What a run reports as it trains: every <see cref="Period"/> epochs a perplexity line and the greedy predictions
/// from each prefix (the book's every 40 epochs, 50 characters after 分开 and 不分开).
/// </summary>
public sealed record ReportOptions
{
    /// <summary>The option keys of this group, as messages and checkpoints name them.</summary>
    public static class Keys
    {
        public const string Period = "period", PredictionLength = "prediction_length", Prefixes = "prefixes";
    }

    /// <summary>Report perplexity and predictions every this many epochs.</summary>
    [JsonPropertyName(Keys.Period)]
    public int Period { get; init; } = 40;

    /// <summary>The most tokens a report predicts after a prefix: each prediction is held as one string and printed as one line.</summary>
    public const int MaxPredictionLength = 1_000_000;

    /// <summary>How many tokens to predict after each prefix, at most <see cref="MaxPredictionLength"/>.</summary>
    [JsonPropertyName(Keys.PredictionLength)]
    public int PredictionLength { get; init; } = 50;

    /// <summary>Prefixes to predict from at each report.</summary>
    [JsonPropertyName(Keys.Prefixes)]
    public IReadOnlyList<string> Prefixes { get; init; } = ["分开", "不分开"];

    /// <summary>Rejects values that cannot make a report, naming the option by its key.</summary>
    /// <exception cref="OptionException">A value is out of range.</exception>
    public void Validate()
    {
        if (Period < 1) throw new OptionException($"{{{Keys.Period}}} must be at least 1, not {Period}.");
        if (PredictionLength < 0) throw new OptionException($"{{{Keys.PredictionLength}}} cannot be negative, not {PredictionLength}.");
        if (PredictionLength > MaxPredictionLength)
            throw new OptionException($"{{{Keys.PredictionLength}}} can be at most {MaxPredictionLength} tokens, not {PredictionLength}.");
        if (Prefixes.Any(p => p.Length == 0)) throw new OptionException($"{{{Keys.Prefixes}}} cannot be empty.");
    }
}
