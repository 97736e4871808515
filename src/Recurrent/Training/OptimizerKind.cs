using System.Text.Json.Serialization;

namespace Recurrent.Training;

/// <summary>The update rules <see cref="Optimizer.Create"/> can make.</summary>
public enum OptimizerKind
{
    /// <summary>Plain SGD, p ← p − lr·g (the book's <c>sgd</c>), see <see cref="SgdOptimizer"/>.</summary>
    [JsonStringEnumMemberName("sgd")]
    Sgd,

    /// <summary>SGD with momentum, see <see cref="MomentumOptimizer"/>.</summary>
    [JsonStringEnumMemberName("momentum")]
    Momentum,

    /// <summary>Adam, see <see cref="AdamOptimizer"/>.</summary>
    [JsonStringEnumMemberName("adam")]
    Adam,
}
