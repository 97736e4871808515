using System.Text.Json.Serialization;
namespace Recurrent.Models;

/// <summary>
/// The model a run trains: implementation, cell, sizes and how its weights start. The defaults are the book's
/// concise LSTM with 256 hidden units over one-hot input, weights from N(0, 0.01²).
/// </summary>
public sealed record ModelOptions
{
    /// <summary>The option keys of this group, as messages and checkpoints name them.</summary>
    public static class Keys
    {
        public const string Kind = "model", Cell = "cell", Hidden = "hidden", Layers = "layers", Embedding = "embedding",
            Dropout = "dropout", CellOutput = "cell_output", Init = "init";
    }

    /// <summary>The concise (fused) or the from-scratch model.</summary>
    [JsonPropertyName(Keys.Kind)]
    public ModelKind Kind { get; init; } = ModelKind.Concise;

    /// <summary>The recurrent cell: LSTM (the book's), GRU or plain RNN.</summary>
    [JsonPropertyName(Keys.Cell)]
    public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>H, the number of hidden units.</summary>
    [JsonPropertyName(Keys.Hidden)]
    public int Hidden { get; init; } = 256;

    /// <summary>Number of stacked recurrent layers (the concise model only).</summary>
    [JsonPropertyName(Keys.Layers)]
    public int Layers { get; init; } = 1;

    /// <summary>Size of a learned embedding of the input tokens; 0 feeds one-hot vectors as the book does (concise model only).</summary>
    [JsonPropertyName(Keys.Embedding)]
    public int Embedding { get; init; }

    /// <summary>Probability of dropping a unit between layers while training (inverted dropout; concise model only).</summary>
    [JsonPropertyName(Keys.Dropout)]
    public float Dropout { get; init; }

    /// <summary>Whether H = O ⊙ tanh(C) (the LSTM) or O ⊙ C.</summary>
    [JsonPropertyName(Keys.CellOutput)]
    public CellOutput CellOutput { get; init; } = CellOutput.Tanh;

    /// <summary>How the weights are drawn: <c>normal:STD</c> (the book: normal:0.01) or <c>uniform:LIMIT</c>; biases start at zero.</summary>
    [JsonPropertyName(Keys.Init)]
    public string Init { get; init; } = "normal:0.01";

    /// <summary>The description of the model these options build for a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    public ModelConfiguration For(int vocabularySize) => new()
    {
        Model = Kind, Cell = Cell, VocabularySize = vocabularySize, HiddenSize = Hidden, Layers = Layers,
        Embedding = Embedding, Dropout = Dropout, CellOutput = CellOutput,
    };

    /// <summary>Rejects values that cannot make a model, naming the option by its key.</summary>
    /// <exception cref="OptionException">A value is out of range or options contradict each other.</exception>
    public void Validate()
    {
        if (Hidden <= 0) throw new OptionException($"{{{Keys.Hidden}}} must be a positive number of units, not {Hidden}.");
        if (Layers < 1) throw new OptionException($"{{{Keys.Layers}}} must be at least 1, not {Layers}.");
        if (Embedding < 0) throw new OptionException($"{{{Keys.Embedding}}} cannot be negative, not {Embedding}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new OptionException($"{{{Keys.Dropout}}} must be at least 0 and below 1, not {Dropout}.");
        if (Kind == ModelKind.Scratch && (Layers != 1 || Embedding != 0 || Dropout != 0))
            throw new OptionException($"{{{Keys.Layers}}}, {{{Keys.Embedding}}} and {{{Keys.Dropout}}} need {{{Keys.Kind}}} concise: the from-scratch models are the book's single layer.");
        if (Cell != CellKind.Lstm && CellOutput != CellOutput.Tanh)
            throw new OptionException($"{{{Keys.CellOutput}}} applies to the LSTM only.");
        Initializer.Parse(Init);
    }
}
