using System.Text.Json.Serialization;
using Recurrent.Data;
using Recurrent.Models;

namespace Recurrent.Training;

/// <summary>
/// Everything that defines a training run, in the groups a reader thinks in: the model, the data, the
/// optimisation and the report. The defaults are the book's experiment: the concise LSTM on the first 10,000
/// characters of the Jay Chou lyrics, trained for 160 epochs.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The model: implementation, cell, sizes, initial weights.</summary>
    [JsonPropertyName("model")]
    public ModelOptions Model { get; init; } = new();

    /// <summary>The text and its tokens.</summary>
    [JsonPropertyName("data")]
    public DataOptions Data { get; init; } = new();

    /// <summary>Minibatches, epochs, the update rule, clipping and stopping.</summary>
    [JsonPropertyName("optimization")]
    public OptimizationOptions Optimization { get; init; } = new();

    /// <summary>What the run prints as it trains.</summary>
    [JsonPropertyName("report")]
    public ReportOptions Report { get; init; } = new();

    /// <summary>The model these options train on a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    public ModelConfiguration ModelFor(int vocabularySize) => Model.For(vocabularySize);

    /// <summary>Rejects values that cannot make a run, naming the option by its key.</summary>
    /// <exception cref="OptionException">A value is out of range or options contradict each other.</exception>
    public void Validate()
    {
        Model.Validate();
        Data.Validate();
        Optimization.Validate();
        Report.Validate();
        if (Optimization.Patience is not null && Data.ValidationFraction is null && Data.ValidPath is null)
            throw new OptionException($"{{{OptimizationOptions.Keys.Patience}}} needs a validation text: give {{{DataOptions.Keys.ValidationFraction}}} or {{{DataOptions.Keys.ValidPath}}}.");
    }
}
