using System.Text.Json.Serialization;

namespace Recurrent.Models;

/// <summary>
/// What the hidden state becomes after the cell update: the book's H = O ⊙ tanh(C), or its text's
/// H = O ⊙ C without the tanh (kept so that the question "why tanh again?" can be answered by running both).
/// </summary>
public enum CellOutput
{
    /// <summary>H = O ⊙ tanh(C), the standard LSTM.</summary>
    [JsonStringEnumMemberName("tanh")]
    Tanh,

    /// <summary>H = O ⊙ C.</summary>
    [JsonStringEnumMemberName("linear")]
    Linear,
}
