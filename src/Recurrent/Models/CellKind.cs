using System.Text.Json.Serialization;

namespace Recurrent.Models;

/// <summary>The recurrent cell of a model.</summary>
public enum CellKind
{
    /// <summary>Long short-term memory: input, forget and output gates and a memory cell (PyTorch's nn.LSTM).</summary>
    [JsonStringEnumMemberName("lstm")]
    Lstm,

    /// <summary>Gated recurrent unit: reset and update gates (PyTorch's nn.GRU).</summary>
    [JsonStringEnumMemberName("gru")]
    Gru,

    /// <summary>The plain recurrent network, h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (PyTorch's nn.RNN).</summary>
    [JsonStringEnumMemberName("rnn")]
    Rnn,
}
