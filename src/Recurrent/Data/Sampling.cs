using System.Text.Json.Serialization;

namespace Recurrent.Data;

/// <summary>How an epoch cuts the corpus into minibatches (the book's two iterators).</summary>
public enum Sampling
{
    /// <summary>
    /// The book's <c>data_iter_random</c>: the corpus is cut into non-overlapping examples of T steps and
    /// each minibatch takes B of them in a shuffled order, so consecutive minibatches are unrelated and the
    /// hidden state is reset before each one.
    /// </summary>
    [JsonStringEnumMemberName("random")]
    Random,

    /// <summary>
    /// The book's <c>data_iter_consecutive</c>: the corpus is split into B long rows and minibatch i is
    /// columns i*T .. i*T+T-1, so row b of minibatch i+1 continues row b of minibatch i and the hidden
    /// state can be carried over.
    /// </summary>
    [JsonStringEnumMemberName("consecutive")]
    Consecutive,
}
