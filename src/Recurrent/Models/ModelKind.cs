using System.Text.Json.Serialization;

namespace Recurrent.Models;

/// <summary>Which implementation of the LSTM language model to train.</summary>
public enum ModelKind
{
    /// <summary>The concise model: the fused <see cref="LstmLayer"/> inside <see cref="RnnModel"/>.</summary>
    [JsonStringEnumMemberName("concise")]
    Concise,

    /// <summary>The from-scratch model on autograd, <see cref="ScratchLstm"/>.</summary>
    [JsonStringEnumMemberName("scratch")]
    Scratch,
}
